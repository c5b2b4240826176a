/**
 * One OIDC Back-Channel Logout notice owed to a portal: the session `sid` it knows, for the account (profile) that was
 * signed in. The logout token itself is made and signed by oidc-provider when the notice is delivered.
 */
export interface BackchannelNotice {
  clientId: string;
  accountId: string;
  sid: string;
}

/** Hands notices to the delivery queue; each is sent once however often it is announced (its sid names it). */
export interface LogoutAnnouncer {
  announce(notices: readonly BackchannelNotice[]): Promise<void>;
}

/** The queue's idempotency key: a portal's sid belongs to one session and one portal. */
export const noticeId = (notice: BackchannelNotice) => `backchannel:${notice.clientId}:${notice.sid}`;

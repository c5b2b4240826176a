/**
 * What the broker knows about one of its sessions beyond what oidc-provider keeps (its Session model has no room
 * for it): where the person signed in upstream, so that signing out can end that session too, and what "My account"
 * shows about it. Kept by the session's uid, for as long as the session may live.
 */
export interface SessionDetails {
  profileId: string;
  upstreamId?: string;
  /** The upstream account's subject, for the audit log's actor of later sign-ins with this session. */
  upstreamSubject?: string;
  /** The upstream's ID token, the `id_token_hint` of its end-session endpoint. Never shown, logged or audited. */
  upstreamIdToken?: string;
  /** The browser's User-Agent when the session started, cut short; shown so a person recognises the device. */
  browser?: string;
  /** Epoch milliseconds of the last sign-in at a portal with this session. */
  lastUsedAt: number;
}

/** How much of a User-Agent is kept: enough to recognise a browser, not a fingerprint's worth. */
export const BROWSER_TEXT_LIMIT = 160;

export const browserText = (userAgent: string | undefined) =>
  userAgent ? userAgent.replace(/[^\x20-\x7e]/g, '').slice(0, BROWSER_TEXT_LIMIT) || undefined : undefined;

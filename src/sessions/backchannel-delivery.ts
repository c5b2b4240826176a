import type Provider from 'oidc-provider';
import type { JobQueue } from '../shared/job-queue.ts';
import { noticeId, type BackchannelNotice, type LogoutAnnouncer } from './backchannel-logout.ts';

interface LogoutCapableClient {
  clientId: string;
  backchannelLogoutUri?: string;
  backchannelLogout(sub: string, sid: string): Promise<void>;
  includeSid(): boolean;
}

/**
 * OIDC Back-Channel Logout with oidc-provider's own logout tokens (its signing keys, `iss`, `aud`, `events`, `sid`, a
 * fresh `jti`, no nonce), but delivered through the broker's durable queue: oidc-provider posts them once, during the
 * sign-out request, and forgets a portal that was down. Here its client's `backchannelLogout` hands the notice to the
 * queue, and the queue's worker calls the original to make and post the token, retrying with backoff. The broker's
 * own revocations (unlink, disable, "sign out everywhere", support) announce their notices to the same queue.
 */
export function routeBackchannelLogout(provider: Provider, onUnqueued?: (clientId: string, error: Error) => void) {
  const proto = provider.Client.prototype as unknown as LogoutCapableClient;
  const post = proto.backchannelLogout;
  let announcer: LogoutAnnouncer | undefined;
  proto.backchannelLogout = async function (this: LogoutCapableClient, sub: string, sid: string) {
    try {
      if (!announcer) throw new Error('back-channel logout queue not started');
      await announcer.announce([{ clientId: this.clientId, accountId: sub, sid }]);
    } catch (err) {
      // The queue could not take it (Redis away): one attempt now, as oidc-provider alone would make. If that fails
      // too, oidc-provider emits `backchannel.error`, which the composition root logs and audits.
      onUnqueued?.(this.clientId, err as Error);
      await post.call(this, sub, sid);
    }
  };
  // Every ID token names its session (`sid`), so a portal can match the logout tokens that come later.
  proto.includeSid = () => true;

  return {
    /** Notices go to `queue` from now on. */
    useQueue(queue: JobQueue<BackchannelNotice>): LogoutAnnouncer {
      announcer = {
        async announce(notices) {
          for (const notice of notices)
            await queue.enqueue({ kind: 'backchannel_logout', data: notice, id: noticeId(notice) });
        },
      };
      return announcer;
    },
    /** The queue's handler: makes and posts the logout token; a throw is retried. */
    async deliver(notice: BackchannelNotice): Promise<void> {
      const client = (await provider.Client.find(notice.clientId)) as unknown as LogoutCapableClient | undefined;
      // A portal removed, disabled or no longer listening since: nothing is owed to it.
      if (!client?.backchannelLogoutUri) return;
      await post.call(client, notice.accountId, notice.sid);
    },
  };
}

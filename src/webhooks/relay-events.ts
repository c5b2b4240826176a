import type { AuditEvent, AuditLog } from '../audit/audit-log.ts';
import { deliveriesFor, publishDeliveries, wakeDrain } from './publish-events.ts';
import type { WebhookDeps } from './webhook-deps.ts';

const PAGE = 500;
/** The furthest back a relay looks, whatever its mark says: a broker stopped for days does not replay weeks. */
const MAX_LOOKBACK_MS = 24 * 3600 * 1000;

/**
 * The outbox relay (docs/decisions/0018), run on every node every `webhooks.relay.intervalSeconds`: publishes the
 * webhook events recorded since the last run that a process did not publish (it died between the audit write and
 * the publishing, or the store refused then), and wakes the drains of subscriptions with deliveries due (a drain
 * job lost with its node). Events younger than `graceMs` are left to their own process. Publishing is idempotent
 * per (subscription, event), so overlapping runs on several nodes make nothing twice.
 */
export async function relayWebhookEvents(
  deps: WebhookDeps & { audit: AuditLog },
  graceMs: number,
): Promise<{ published: number }> {
  const now = deps.clock.now();
  const until = new Date(now.getTime() - graceMs);
  const subscriptions = await deps.store.listSubscriptions();
  const active = subscriptions.filter((s) => s.status === 'active');
  let published = 0;
  if (active.length) {
    const earliest = Math.min(...active.map((s) => s.createdAt.getTime()));
    const mark = (await deps.store.relayedUntil())?.getTime() ?? earliest;
    // From a little before the mark: an event whose write landed after the last run but is dated before its end.
    const from = new Date(Math.max(Math.min(mark - graceMs, now.getTime()), earliest, now.getTime() - MAX_LOOKBACK_MS));
    let after: Pick<AuditEvent, 'id' | 'at'> | undefined;
    for (;;) {
      const page = await deps.audit.query({ from, to: until, limit: PAGE, ...(after ? { after } : {}) });
      published += await publishDeliveries(
        deps,
        page.flatMap((event) => deliveriesFor(event, active, now)),
      );
      if (page.length < PAGE) break;
      after = page[page.length - 1];
    }
  }
  await deps.store.markRelayedUntil(until);
  for (const subscriptionId of await deps.store.subscriptionsDue(now)) await wakeDrain(deps, subscriptionId);
  if (published) deps.logger.warn('webhooks.relayed', { published });
  return { published };
}

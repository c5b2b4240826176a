import { randomUUID } from 'node:crypto';
import { jobRetryDelay } from '../shared/job-queue.ts';
import { sendWebhook, signedHeaders } from './send-webhook.ts';
import { wakeDrain } from './publish-events.ts';
import type { WebhookDeps } from './webhook-deps.ts';
import { ATTEMPTS_KEPT, type Delivery, type DeliveryAttempt, type Subscription } from './webhook-store.ts';

/** How long a lease outlives one attempt: the attempt's timeout plus time for the store writes around it. */
const LEASE_MARGIN_MS = 15_000;
/**
 * A lease taken less than this long ago is not renewed before the next attempt: it still has at least the attempt's
 * timeout plus LEASE_MARGIN_MS less this to run, and a drain of quick deliveries makes one lease write, not one each.
 */
const LEASE_RENEW_AFTER_MS = 5_000;

/**
 * Sends a subscription's pending deliveries, oldest event first, one at a time (docs/decisions/0018). Runs as a job
 * of the webhook queue on any node; the subscription's lease in the store keeps every other node out meanwhile, so
 * deliveries never go out concurrently or out of order. The head of the line waits for its retry: a receiver that is
 * down holds up its own subscription only, never another subscription or the requests that caused the events.
 *
 * A delivery that fails its round of attempts is marked failed (operators retry or replay it) and the line moves on.
 */
export async function drainSubscription(deps: WebhookDeps, subscriptionId: string): Promise<void> {
  const subscription = await deps.store.findSubscription(subscriptionId);
  // A disabled subscription keeps its deliveries pending; enabling it wakes the drain.
  if (!subscription || subscription.status !== 'active') return;
  const holder = randomUUID();
  const leaseMs = deps.timeoutMs + LEASE_MARGIN_MS;
  let takenAt: number | undefined;
  const lease = async () => {
    const now = deps.clock.now();
    if (takenAt !== undefined && now.getTime() - takenAt < LEASE_RENEW_AFTER_MS) return true;
    const taken = await deps.store.acquireLease(subscriptionId, holder, new Date(now.getTime() + leaseMs), now);
    takenAt = taken ? now.getTime() : undefined;
    return taken;
  };
  // Another node is draining: it looks again for due deliveries before it lets go (below), so nothing waits on us.
  if (!(await lease())) return;
  try {
    await sendInOrder(deps, subscription, lease);
  } finally {
    await deps.store.releaseLease(subscriptionId, holder);
  }
  // A delivery added while we held the lease had its drain job turned away: look once more now the lease is free.
  const head = await deps.store.headPending(subscriptionId);
  if (head && head.nextAttemptAt <= deps.clock.now()) await wakeDrain(deps, subscriptionId);
}

/** Sends due deliveries in order until none is due; a head waiting for its retry gets a drain job at that time. */
async function sendInOrder(deps: WebhookDeps, subscription: Subscription, lease: () => Promise<boolean>) {
  for (;;) {
    const head = await deps.store.headPending(subscription.id);
    if (!head) return;
    const now = deps.clock.now();
    if (head.nextAttemptAt > now) {
      await wakeDrain(deps, subscription.id, head.nextAttemptAt.getTime() - now.getTime(), head.nextAttemptAt);
      return;
    }
    // Renewed before an attempt once it is a few seconds old; if it was lost (this node stalled past it), another
    // node has the line now.
    if (!(await lease())) return;
    await attempt(deps, subscription, head);
  }
}

/** One attempt at one delivery, recorded on it; true when the receiver took it. */
async function attempt(deps: WebhookDeps, subscription: Subscription, delivery: Delivery): Promise<boolean> {
  const at = deps.clock.now();
  const result = await sendWebhook(
    subscription.url,
    signedHeaders(subscription.secret, delivery.eventId, delivery.payload, at),
    delivery.payload,
    { timeoutMs: deps.timeoutMs, refuseInternal: deps.refuseInternal },
  );
  const attempts = delivery.attempts + 1;
  const record: DeliveryAttempt = {
    at,
    ...(result.status ? { status: result.status } : {}),
    ...(result.error ? { error: result.error } : {}),
  };
  const history = [...delivery.history, record].slice(-ATTEMPTS_KEPT);
  const line = { subscription: subscription.id, event: delivery.eventId, type: delivery.type, attempt: attempts };
  if (result.ok) {
    await deps.store.updateDelivery(delivery.id, { status: 'delivered', attempts, history });
    deps.logger.info('webhooks.delivered', { ...line, status: result.status });
    deps.metrics.delivery('webhook', 'delivered');
    return true;
  }
  const inRound = attempts - delivery.roundStartedAt;
  if (inRound >= deps.retry.attempts) {
    await deps.store.updateDelivery(delivery.id, { status: 'failed', attempts, history });
    deps.logger.error('webhooks.delivery_failed', { ...line, error: result.error });
    deps.metrics.delivery('webhook', 'failed');
    return false;
  }
  const delayMs = jobRetryDelay(deps.retry, inRound);
  await deps.store.updateDelivery(delivery.id, {
    attempts,
    history,
    nextAttemptAt: new Date(at.getTime() + delayMs),
  });
  deps.logger.warn('webhooks.retry', { ...line, delayMs, error: result.error });
  deps.metrics.delivery('webhook', 'retried');
  return false;
}

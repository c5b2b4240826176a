import type { AuditEvent, AuditLog } from '../audit/audit-log.ts';
import type { BackgroundTasks } from '../shared/background-tasks.ts';
import { payloadOf } from './webhook-events.ts';
import type { WebhookDeps } from './webhook-deps.ts';
import { deliveryId, type Delivery, type Subscription } from './webhook-store.ts';

/** Whether a subscription receives an event: active, wanting its type, and made before the event happened. */
export const wants = (subscription: Subscription, event: Pick<AuditEvent, 'at'> & { type: string }) =>
  subscription.status === 'active' &&
  (subscription.events.length === 0 || (subscription.events as string[]).includes(event.type)) &&
  subscription.createdAt <= event.at;

/** An audit event's deliveries, one per subscription among `subscriptions` that wants it; none for other events. */
export function deliveriesFor(event: AuditEvent, subscriptions: readonly Subscription[], now: Date): Delivery[] {
  const payload = payloadOf(event);
  if (!payload) return [];
  const text = JSON.stringify(payload);
  return subscriptions
    .filter((s) => wants(s, { at: event.at, type: payload.type }))
    .map((s) => ({
      id: deliveryId(s.id, event.id),
      subscriptionId: s.id,
      eventId: event.id,
      type: payload.type,
      occurredAt: event.at,
      payload: text,
      status: 'pending',
      attempts: 0,
      roundStartedAt: 0,
      nextAttemptAt: now,
      history: [],
      createdAt: now,
    }));
}

/**
 * Makes deliveries (those not made before: publishing an event again makes none) and wakes the drains of the
 * subscriptions that got one. Returns how many were made.
 */
export async function publishDeliveries(deps: WebhookDeps, deliveries: Delivery[]): Promise<number> {
  if (!deliveries.length) return 0;
  const added = await deps.store.addDeliveries(deliveries);
  await Promise.all([...new Set(added.map((d) => d.subscriptionId))].map((id) => wakeDrain(deps, id)));
  return added.length;
}

/**
 * Hands a subscription's drain to the job queue (any node may run it; the store's lease keeps one at a time). A drain
 * for a retry's time carries that time in its id, so the many drains that find the same head waiting make one job.
 */
export const wakeDrain = (deps: Pick<WebhookDeps, 'queue'>, subscriptionId: string, delayMs = 0, dueAt?: Date) =>
  deps.queue.enqueue(
    {
      kind: 'webhook.drain',
      data: { subscriptionId },
      ...(dueAt ? { id: `drain:${subscriptionId}:${dueAt.getTime()}` } : {}),
    },
    delayMs > 0 ? { delayMs } : undefined,
  );

/**
 * The audit log as the webhooks' outbox (docs/decisions/0018): recording an event publishes it. The deliveries are
 * written before `record` returns, so that a change made after this one (on any node) is delivered after it; waking
 * the drains is left to a background task. Publishing never fails the caller: if it fails, or the process dies first,
 * the relay publishes the event later, and its id keeps it to one delivery per subscription.
 */
export function withWebhookEvents(audit: AuditLog, deps: WebhookDeps, tasks: BackgroundTasks): AuditLog {
  return {
    query: (filter) => audit.query(filter),
    ...(audit.sweepExpired ? { sweepExpired: (now: Date) => audit.sweepExpired!(now) } : {}),
    async record(event) {
      await audit.record(event);
      if (!payloadOf(event)) return;
      try {
        const subscriptions = await deps.subscriptions.active();
        if (!subscriptions.length) return;
        const added = await deps.store.addDeliveries(deliveriesFor(event, subscriptions, deps.clock.now()));
        if (!added.length) return;
        tasks.run('webhooks.wake', async () => {
          await Promise.all([...new Set(added.map((d) => d.subscriptionId))].map((id) => wakeDrain(deps, id)));
        });
      } catch (err) {
        deps.logger.warn('webhooks.publish_deferred', { audit_event: event.id, message: (err as Error).message });
      }
    },
  };
}

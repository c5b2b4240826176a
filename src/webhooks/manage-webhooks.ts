import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AdminActor } from '../clients/admin-scopes.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError, BadRequestError, NotFoundError } from '../shared/errors.ts';
import { newRecordId, referenceCode } from '../shared/ids.ts';
import { outboundUrlProblem } from '../shared/outbound-url.ts';
import { newWebhookSecret } from './send-webhook.ts';
import { WEBHOOK_EVENT_TYPES } from './webhook-events.ts';
import type { WebhookInput } from './webhook-input.ts';
import type { SubscriptionCache } from './webhook-deps.ts';
import {
  deliveryId,
  type Delivery,
  type DeliveryStatus,
  type Subscription,
  type WebhookStore,
} from './webhook-store.ts';

export interface ManageWebhooksDeps {
  store: WebhookStore;
  audit: AuditLog;
  clock: Clock;
  subscriptions: SubscriptionCache;
  /** Wakes a subscription's drain (after enabling it, or putting a delivery back in line). */
  wake(subscriptionId: string): Promise<void>;
  /** Production: https only, never an internal address (shared/outbound-url.ts). */
  production: boolean;
  resolve?: (host: string) => Promise<string[]>;
}

/** A subscription as the admin API and the command line show it: never its secret. */
export const subscriptionView = (s: Subscription) => ({
  id: s.id,
  url: s.url,
  events: [...s.events],
  all_events: s.events.length === 0,
  description: s.description,
  status: s.status,
  created_at: s.createdAt.toISOString(),
  updated_at: s.updatedAt.toISOString(),
});

export type SubscriptionView = ReturnType<typeof subscriptionView>;

/** A delivery as operators read it, its payload included (it holds no secret). */
export const deliveryView = (d: Delivery) => ({
  event_id: d.eventId,
  type: d.type,
  occurred_at: d.occurredAt.toISOString(),
  status: d.status,
  attempts: d.attempts,
  next_attempt_at: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
  history: d.history.map((a) => ({
    at: a.at.toISOString(),
    status: a.status ?? null,
    error: a.error ?? null,
  })),
  payload: JSON.parse(d.payload) as Record<string, unknown>,
});

async function existing(deps: ManageWebhooksDeps, id: string): Promise<Subscription> {
  const subscription = await deps.store.findSubscription(id);
  if (!subscription) throw new NotFoundError('webhook_not_found', `no webhook subscription ${id}`);
  return subscription;
}

/** The URL's origin only: a receiver's URL may carry a token of its own in its path or query. */
const originOf = (url: string) => new URL(url).origin;

async function record(
  deps: ManageWebhooksDeps,
  who: AdminActor,
  action: string,
  subscription: Subscription,
  details: Record<string, string | number | boolean> = {},
) {
  await deps.audit.record({
    id: referenceCode(),
    at: deps.clock.now(),
    action,
    outcome: 'success',
    actor: who.actor,
    ...(who.ip ? { ip: who.ip } : {}),
    details: { webhook: subscription.id, origin: originOf(subscription.url), ...details },
  });
}

async function checkedUrl(deps: ManageWebhooksDeps, url: string): Promise<string> {
  const problem = await outboundUrlProblem(url, { production: deps.production, resolve: deps.resolve });
  if (problem)
    throw new AppError(400, 'webhook_url_refused', `webhook URL refused: ${problem}`, { details: { problem } });
  return url;
}

export async function listWebhooks(deps: ManageWebhooksDeps) {
  return { webhooks: (await deps.store.listSubscriptions()).map(subscriptionView) };
}

export async function getWebhook(deps: ManageWebhooksDeps, id: string) {
  return subscriptionView(await existing(deps, id));
}

/**
 * Subscribes an endpoint. The broker makes the signing secret and returns it this once; the subscription receives
 * the events that happen from now on.
 */
export async function createWebhook(deps: ManageWebhooksDeps, who: AdminActor, input: WebhookInput) {
  const url = await checkedUrl(deps, input.url);
  if (input.id && (await deps.store.findSubscription(input.id)))
    throw new AppError(409, 'webhook_exists', `webhook subscription ${input.id} exists`, { details: { id: input.id } });
  const now = deps.clock.now();
  const events = [...new Set(input.events ?? [])];
  const subscription: Subscription = {
    id: input.id ?? newRecordId('wh', 12),
    url,
    // Every type listed is the same as none listed: both mean every type, those added later too.
    events: events.length === WEBHOOK_EVENT_TYPES.length ? [] : events,
    description: input.description ?? '',
    status: 'active',
    secret: newWebhookSecret(randomBytes),
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.saveSubscription(subscription);
  deps.subscriptions.invalidate();
  await record(deps, who, 'webhook.created', subscription, {
    events: subscription.events.join(' ') || 'all',
  });
  return { webhook: subscriptionView(subscription), secret: subscription.secret };
}

/** Disabled: nothing is sent, and deliveries already made wait; enabled again, they go out in order. */
export async function setWebhookStatus(
  deps: ManageWebhooksDeps,
  who: AdminActor,
  id: string,
  status: Subscription['status'],
) {
  const current = await existing(deps, id);
  if (current.status === status) return subscriptionView(current);
  const next = { ...current, status, updatedAt: deps.clock.now() };
  await deps.store.saveSubscription(next);
  deps.subscriptions.invalidate();
  await record(deps, who, status === 'disabled' ? 'webhook.disabled' : 'webhook.enabled', next);
  if (status === 'active') await deps.wake(id);
  return subscriptionView(next);
}

/** Removes the subscription and its deliveries. */
export async function deleteWebhook(deps: ManageWebhooksDeps, who: AdminActor, id: string) {
  const current = await existing(deps, id);
  if (!(await deps.store.removeSubscription(id))) throw new NotFoundError('webhook_not_found', `no webhook ${id}`);
  deps.subscriptions.invalidate();
  await record(deps, who, 'webhook.deleted', current);
}

/** A new signing secret, returned this once; every attempt from now on is signed with it. */
export async function rotateWebhookSecret(deps: ManageWebhooksDeps, who: AdminActor, id: string) {
  const current = await existing(deps, id);
  const next = { ...current, secret: newWebhookSecret(randomBytes), updatedAt: deps.clock.now() };
  await deps.store.saveSubscription(next);
  deps.subscriptions.invalidate();
  await record(deps, who, 'webhook.secret_rotated', next);
  return { webhook: subscriptionView(next), secret: next.secret };
}

/** The paging cursor: the last delivery's occurrence and event id; opaque to callers. */
const cursorOf = (d: Delivery) => Buffer.from(`${d.occurredAt.toISOString()}|${d.eventId}`).toString('base64url');

function parseCursor(cursor: string) {
  const [at, eventId] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const occurredAt = new Date(at ?? '');
  if (!eventId || Number.isNaN(occurredAt.getTime()))
    throw new BadRequestError('invalid_input', 'malformed query: after', { fields: 'after' });
  return { occurredAt, eventId };
}

/** A subscription's deliveries, newest event first, a page at a time. */
export async function listDeliveries(
  deps: ManageWebhooksDeps,
  id: string,
  query: { status?: DeliveryStatus; limit: number; after?: string },
) {
  await existing(deps, id);
  const page = await deps.store.listDeliveries(id, {
    limit: query.limit,
    ...(query.status ? { status: query.status } : {}),
    ...(query.after ? { before: parseCursor(query.after) } : {}),
  });
  const last = page.length === query.limit ? page[page.length - 1] : undefined;
  return { deliveries: page.map(deliveryView), next: last ? cursorOf(last) : null };
}

async function deliveryOf(deps: ManageWebhooksDeps, id: string, eventId: string) {
  await existing(deps, id);
  const delivery = await deps.store.findDelivery(id, eventId);
  if (!delivery)
    throw new NotFoundError('webhook_delivery_not_found', `webhook ${id} has no delivery of event ${eventId}`);
  return delivery;
}

/** Puts a delivery back in line for a new round of attempts, at its place in the order of occurrence. */
async function requeue(deps: ManageWebhooksDeps, delivery: Delivery) {
  const now = deps.clock.now();
  await deps.store.updateDelivery(delivery.id, {
    status: 'pending',
    roundStartedAt: delivery.attempts,
    nextAttemptAt: now,
  });
  await deps.wake(delivery.subscriptionId);
  return deliveryView({ ...delivery, status: 'pending', roundStartedAt: delivery.attempts, nextAttemptAt: now });
}

/** Tries a delivery that failed every attempt again, with a fresh round of attempts. */
export async function retryDelivery(deps: ManageWebhooksDeps, who: AdminActor, id: string, eventId: string) {
  const delivery = await deliveryOf(deps, id, eventId);
  if (delivery.status !== 'failed')
    throw new AppError(409, 'webhook_delivery_not_failed', `delivery of ${eventId} to ${id} is ${delivery.status}`, {
      details: { status: delivery.status, eventId },
    });
  await record(deps, who, 'webhook.delivery_retried', await existing(deps, id), { event: eventId });
  return requeue(deps, delivery);
}

/**
 * Sends any delivery again, delivered ones included, with the same event id (a receiver that deduplicates by
 * `webhook-id` sees it as the same event): for a receiver that lost what it was sent.
 */
export async function replayDelivery(deps: ManageWebhooksDeps, who: AdminActor, id: string, eventId: string) {
  const delivery = await deliveryOf(deps, id, eventId);
  await record(deps, who, 'webhook.delivery_replayed', await existing(deps, id), { event: eventId });
  return requeue(deps, delivery);
}

export { deliveryId };

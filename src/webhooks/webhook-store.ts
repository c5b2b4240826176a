import type { WebhookEventType } from './webhook-events.ts';

/** An operator's endpoint and what it wants to hear about. */
export interface Subscription {
  id: string;
  /** https (in production never a loopback, link-local or private address: outbound-url.ts). */
  url: string;
  /** The event types it receives; empty means every type, those added later included. */
  events: WebhookEventType[];
  description: string;
  status: 'active' | 'disabled';
  /** `whsec_…`, the Standard Webhooks signing secret; encrypted at rest (encrypted-webhook-store.ts). */
  secret: string;
  createdAt: Date;
  updatedAt: Date;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One attempt, as operators read it in a delivery's history. */
export interface DeliveryAttempt {
  at: Date;
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  /** Why it did not succeed (timeout, refused connection, an HTTP status), bounded; absent on success. */
  error?: string;
  /** Whether an operator asked for it (retry or replay). */
  manual?: boolean;
}

/** One event for one subscription: made once per (subscription, event), whatever retries publish it again. */
export interface Delivery {
  /** `<subscription id>:<event id>`, so publishing an event twice makes one delivery. */
  id: string;
  subscriptionId: string;
  /** The audit event's id: the `webhook-id` header, the same on every attempt and replay. */
  eventId: string;
  type: WebhookEventType;
  /** When the event happened: deliveries of a subscription go out in this order. */
  occurredAt: Date;
  /** The JSON text that is signed and sent. */
  payload: string;
  status: DeliveryStatus;
  /** Attempts made so far, replays included. */
  attempts: number;
  /** `attempts` when the current round began: a round gives up after the retry policy's attempts. */
  roundStartedAt: number;
  /** When the next attempt is due (pending deliveries). */
  nextAttemptAt: Date;
  /** The most recent attempts, newest last (at most ATTEMPTS_KEPT). */
  history: DeliveryAttempt[];
  createdAt: Date;
}

export const ATTEMPTS_KEPT = 10;

/** A page of deliveries, newest event first; `before` continues after the last one of the previous page. */
export interface DeliveryPage {
  status?: DeliveryStatus;
  before?: Pick<Delivery, 'occurredAt' | 'eventId'>;
  limit: number;
}

/** What changes on a delivery after an attempt or an operator's action. */
export type DeliveryUpdate = Partial<
  Pick<Delivery, 'status' | 'attempts' | 'roundStartedAt' | 'nextAttemptAt' | 'history'>
>;

/**
 * Subscriptions, their deliveries, and a lease per subscription so that only one node at a time sends a
 * subscription's deliveries (in order). MongoDB in production, memory otherwise; one contract suite for both.
 */
export interface WebhookStore {
  saveSubscription(subscription: Subscription): Promise<void>;
  findSubscription(id: string): Promise<Subscription | undefined>;
  listSubscriptions(): Promise<Subscription[]>;
  /** Removes the subscription and its deliveries; false if there was none. */
  removeSubscription(id: string): Promise<boolean>;

  /** Adds the deliveries whose id is not there yet; returns those it added. */
  addDeliveries(deliveries: Delivery[]): Promise<Delivery[]>;
  findDelivery(subscriptionId: string, eventId: string): Promise<Delivery | undefined>;
  /** The subscription's oldest pending delivery (by occurrence, then event id), due or not. */
  headPending(subscriptionId: string): Promise<Delivery | undefined>;
  updateDelivery(id: string, update: DeliveryUpdate): Promise<void>;
  /** Newest first (by occurrence, then event id). */
  listDeliveries(subscriptionId: string, page: DeliveryPage): Promise<Delivery[]>;
  /** Subscriptions with a pending delivery due at `now`: the relay wakes their drains. */
  subscriptionsDue(now: Date): Promise<string[]>;

  /**
   * Takes (or renews, for the same holder) the subscription's sending lease until `until`; false while another
   * holder's lease runs.
   */
  acquireLease(subscriptionId: string, holder: string, until: Date, now: Date): Promise<boolean>;
  releaseLease(subscriptionId: string, holder: string): Promise<void>;

  /** Up to when the relay has published every recorded event (shared by every node). */
  relayedUntil(): Promise<Date | undefined>;
  /** Moves it forward only: a node whose clock or run is behind never moves it back. */
  markRelayedUntil(at: Date): Promise<void>;
}

/** Oldest first by occurrence, then event id: the order a subscription's deliveries go out in. */
export function compareOccurrence(
  a: Pick<Delivery, 'occurredAt' | 'eventId'>,
  b: Pick<Delivery, 'occurredAt' | 'eventId'>,
): number {
  return (
    a.occurredAt.getTime() - b.occurredAt.getTime() || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0)
  );
}

export const deliveryId = (subscriptionId: string, eventId: string) => `${subscriptionId}:${eventId}`;

import type { Clock } from '../shared/clock.ts';
import type { JobQueue, RetryPolicy } from '../shared/job-queue.ts';
import type { Metrics } from '../shared/metrics.ts';
import type { Logger } from '../shared/logger.ts';
import type { Subscription, WebhookStore } from './webhook-store.ts';

/** The job that sends a subscription's due deliveries, in order (drain-deliveries.ts). */
export interface DrainJob {
  subscriptionId: string;
}

/** What publishing, sending and the relay work with; the composition root makes it once. */
export interface WebhookDeps {
  store: WebhookStore;
  queue: JobQueue<DrainJob>;
  subscriptions: SubscriptionCache;
  clock: Clock;
  logger: Logger;
  /** Each attempt's outcome is counted (observability/prometheus-metrics.ts). */
  metrics: Metrics;
  /** Per delivery: how often it is tried in a round, and how long between tries. */
  retry: RetryPolicy;
  timeoutMs: number;
  /** Production: never connect to loopback, link-local or private addresses. */
  refuseInternal: boolean;
}

/**
 * The active subscriptions, read at most every `ttlMs` per node: recording an audit event asks it every time, and
 * with no subscription the answer costs nothing. A subscription made on another node is seen within `ttlMs`; what
 * happened in between is published by the relay (relay-events.ts).
 */
export interface SubscriptionCache {
  active(): Promise<Subscription[]>;
  /** After a change on this node: the next `active()` reads the store. */
  invalidate(): void;
}

export function createSubscriptionCache(store: WebhookStore, clock: Clock, ttlMs: number): SubscriptionCache {
  let cached: { at: number; list: Promise<Subscription[]> } | undefined;
  return {
    active() {
      const now = clock.now().getTime();
      if (!cached || now - cached.at >= ttlMs) {
        const list = store.listSubscriptions().then((all) => all.filter((s) => s.status === 'active'));
        // A failed read is not kept: the next caller tries again.
        list.catch(() => (cached = undefined));
        cached = { at: now, list };
      }
      return cached.list;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

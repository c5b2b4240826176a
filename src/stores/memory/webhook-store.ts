import { copyData } from '../../shared/copy-data.ts';
import {
  compareOccurrence,
  type Delivery,
  type Subscription,
  type WebhookStore,
} from '../../webhooks/webhook-store.ts';

/** Webhook subscriptions and deliveries in process memory, for the embedded default and tests. */
export function createMemoryWebhookStore(): WebhookStore {
  const subscriptions = new Map<string, Subscription>();
  const deliveries = new Map<string, Delivery>();
  const leases = new Map<string, { holder: string; until: Date }>();
  let relayed: Date | undefined;
  const of = (subscriptionId: string) => [...deliveries.values()].filter((d) => d.subscriptionId === subscriptionId);

  return {
    async saveSubscription(subscription) {
      const existing = subscriptions.get(subscription.id);
      subscriptions.set(subscription.id, {
        ...copyData(subscription),
        createdAt: existing?.createdAt ?? subscription.createdAt,
      });
    },
    findSubscription: async (id) => copyData(subscriptions.get(id)),
    listSubscriptions: async () =>
      [...subscriptions.values()]
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id))
        .map((s) => copyData(s)),
    async removeSubscription(id) {
      if (!subscriptions.delete(id)) return false;
      for (const d of of(id)) deliveries.delete(d.id);
      leases.delete(id);
      return true;
    },

    async addDeliveries(list) {
      const added: Delivery[] = [];
      for (const delivery of list) {
        if (deliveries.has(delivery.id)) continue;
        deliveries.set(delivery.id, copyData(delivery));
        added.push(copyData(delivery));
      }
      return added;
    },
    findDelivery: async (subscriptionId, eventId) => copyData(of(subscriptionId).find((d) => d.eventId === eventId)),
    headPending: async (subscriptionId) =>
      copyData(
        of(subscriptionId)
          .filter((d) => d.status === 'pending')
          .sort(compareOccurrence)[0],
      ),
    async updateDelivery(id, update) {
      const current = deliveries.get(id);
      if (current) deliveries.set(id, { ...current, ...copyData(update) });
    },
    listDeliveries: async (subscriptionId, page) =>
      of(subscriptionId)
        .filter((d) => !page.status || d.status === page.status)
        .filter((d) => !page.before || compareOccurrence(d, page.before) < 0)
        .sort((a, b) => compareOccurrence(b, a))
        .slice(0, page.limit)
        .map((d) => copyData(d)),
    subscriptionsDue: async (now) => [
      ...new Set(
        [...deliveries.values()]
          .filter((d) => d.status === 'pending' && d.nextAttemptAt <= now)
          .map((d) => d.subscriptionId),
      ),
    ],

    async acquireLease(subscriptionId, holder, until, now) {
      const lease = leases.get(subscriptionId);
      if (lease && lease.holder !== holder && lease.until > now) return false;
      leases.set(subscriptionId, { holder, until });
      return true;
    },
    async releaseLease(subscriptionId, holder) {
      if (leases.get(subscriptionId)?.holder === holder) leases.delete(subscriptionId);
    },

    relayedUntil: async () => relayed && new Date(relayed),
    async markRelayedUntil(at) {
      if (!relayed || at > relayed) relayed = new Date(at);
    },
  };
}

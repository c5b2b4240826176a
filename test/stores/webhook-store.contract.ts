import { describe, expect, it } from '@jest/globals';
import { deliveryId, type Delivery, type Subscription, type WebhookStore } from '../../src/webhooks/webhook-store.ts';

const at = (second: number) => new Date(Date.UTC(2026, 0, 15, 10, 0, second));

export const subscription = (id: string, overrides: Partial<Subscription> = {}): Subscription => ({
  id,
  url: `https://receiver.example/${id}`,
  events: [],
  description: '',
  status: 'active',
  secret: 'whsec_c2VjcmV0',
  createdAt: at(0),
  updatedAt: at(0),
  ...overrides,
});

const delivery = (subscriptionId: string, eventId: string, second: number, overrides: Partial<Delivery> = {}) =>
  ({
    id: deliveryId(subscriptionId, eventId),
    subscriptionId,
    eventId,
    type: 'profile.updated',
    occurredAt: at(second),
    payload: `{"event":"${eventId}"}`,
    status: 'pending',
    attempts: 0,
    roundStartedAt: 0,
    nextAttemptAt: at(second),
    history: [],
    createdAt: at(second),
    ...overrides,
  }) satisfies Delivery;

/** What every webhook store does (webhooks/webhook-store.ts), run against memory and MongoDB. */
export function webhookStoreContract(label: string, make: () => Promise<WebhookStore>) {
  describe(`webhook store (${label})`, () => {
    it('saves, finds, lists and removes subscriptions, keeping the first creation time', async () => {
      const store = await make();
      await store.saveSubscription(subscription('wh-a', { events: ['profile.created'] }));
      await store.saveSubscription(subscription('wh-b', { createdAt: at(5) }));
      await store.saveSubscription(subscription('wh-a', { status: 'disabled', createdAt: at(9), updatedAt: at(9) }));
      expect(await store.findSubscription('wh-a')).toEqual(
        subscription('wh-a', { status: 'disabled', updatedAt: at(9) }),
      );
      expect((await store.listSubscriptions()).map((s) => s.id)).toEqual(['wh-a', 'wh-b']);
      await store.addDeliveries([delivery('wh-a', 'E1', 1)]);
      expect(await store.removeSubscription('wh-a')).toBe(true);
      expect(await store.removeSubscription('wh-a')).toBe(false);
      expect(await store.findSubscription('wh-a')).toBeUndefined();
      expect(await store.findDelivery('wh-a', 'E1')).toBeUndefined();
    });

    it('adds a delivery once per (subscription, event), and returns only what it added', async () => {
      const store = await make();
      const first = await store.addDeliveries([delivery('wh-a', 'E1', 1), delivery('wh-b', 'E1', 1)]);
      expect(first.map((d) => d.id)).toEqual(['wh-a:E1', 'wh-b:E1']);
      const again = await store.addDeliveries([
        delivery('wh-a', 'E1', 1, { payload: 'changed' }),
        delivery('wh-a', 'E2', 2),
      ]);
      expect(again.map((d) => d.id)).toEqual(['wh-a:E2']);
      expect((await store.findDelivery('wh-a', 'E1'))!.payload).toBe('{"event":"E1"}');
      const parallel = await Promise.all(
        Array.from({ length: 5 }, () => store.addDeliveries([delivery('wh-a', 'E3', 3)])),
      );
      expect(parallel.flat()).toHaveLength(1);
    });

    it('adds the rest of a batch when another writer added some of it meanwhile, each delivery once', async () => {
      const store = await make();
      const batches = [
        [delivery('wh-a', 'E5', 5), delivery('wh-b', 'E5', 5), delivery('wh-c', 'E5', 5)],
        [delivery('wh-b', 'E5', 5), delivery('wh-c', 'E5', 5), delivery('wh-d', 'E5', 5)],
      ];
      const added = (await Promise.all(batches.map((batch) => store.addDeliveries(batch)))).flat();
      expect(added.map((d) => d.id).sort()).toEqual(['wh-a:E5', 'wh-b:E5', 'wh-c:E5', 'wh-d:E5']);
      for (const id of ['wh-a', 'wh-b', 'wh-c', 'wh-d']) expect(await store.findDelivery(id, 'E5')).toBeDefined();
    });

    it('gives the oldest pending delivery as the head, lists newest first by pages, and updates', async () => {
      const store = await make();
      await store.addDeliveries([
        delivery('wh-a', 'E3', 3),
        delivery('wh-a', 'E1', 1),
        delivery('wh-a', 'E2b', 2),
        delivery('wh-a', 'E2a', 2),
        delivery('wh-b', 'E0', 0),
      ]);
      expect((await store.headPending('wh-a'))!.eventId).toBe('E1');
      await store.updateDelivery('wh-a:E1', {
        status: 'delivered',
        attempts: 1,
        history: [{ at: at(4), status: 204 }],
      });
      expect(await store.findDelivery('wh-a', 'E1')).toMatchObject({
        status: 'delivered',
        attempts: 1,
        history: [{ at: at(4), status: 204 }],
      });
      expect((await store.headPending('wh-a'))!.eventId).toBe('E2a');
      const page1 = await store.listDeliveries('wh-a', { limit: 2 });
      expect(page1.map((d) => d.eventId)).toEqual(['E3', 'E2b']);
      const page2 = await store.listDeliveries('wh-a', { limit: 5, before: page1[1] });
      expect(page2.map((d) => d.eventId)).toEqual(['E2a', 'E1']);
      expect((await store.listDeliveries('wh-a', { limit: 5, status: 'delivered' })).map((d) => d.eventId)).toEqual([
        'E1',
      ]);
      await store.updateDelivery('wh-a:E2a', { nextAttemptAt: at(30) });
      expect((await store.subscriptionsDue(at(10))).sort()).toEqual(['wh-a', 'wh-b']);
      await store.updateDelivery('wh-a:E2b', { nextAttemptAt: at(30) });
      await store.updateDelivery('wh-a:E3', { status: 'failed' });
      expect(await store.subscriptionsDue(at(10))).toEqual(['wh-b']);
    });

    it('leases a subscription to one holder at a time, renewable by it, free once released or lapsed', async () => {
      const store = await make();
      expect(await store.acquireLease('wh-a', 'node-1', at(30), at(0))).toBe(true);
      expect(await store.acquireLease('wh-a', 'node-2', at(30), at(10))).toBe(false);
      expect(await store.acquireLease('wh-b', 'node-2', at(30), at(10))).toBe(true);
      expect(await store.acquireLease('wh-a', 'node-1', at(40), at(10))).toBe(true);
      expect(await store.acquireLease('wh-a', 'node-2', at(50), at(35))).toBe(false);
      expect(await store.acquireLease('wh-a', 'node-2', at(60), at(41))).toBe(true);
      await store.releaseLease('wh-a', 'node-1');
      expect(await store.acquireLease('wh-a', 'node-3', at(70), at(42))).toBe(false);
      await store.releaseLease('wh-a', 'node-2');
      const racers = await Promise.all(
        ['x', 'y', 'z', 'w'].map((holder) => store.acquireLease('wh-a', holder, at(80), at(43))),
      );
      expect(racers.filter(Boolean)).toHaveLength(1);
    });

    it('moves the relay mark forward only', async () => {
      const store = await make();
      expect(await store.relayedUntil()).toBeUndefined();
      await store.markRelayedUntil(at(10));
      await store.markRelayedUntil(at(5));
      expect(await store.relayedUntil()).toEqual(at(10));
      await store.markRelayedUntil(at(20));
      expect(await store.relayedUntil()).toEqual(at(20));
    });
  });
}

import { Schema, type Connection } from 'mongoose';
import type { Delivery, DeliveryAttempt, Subscription, WebhookStore } from '../../webhooks/webhook-store.ts';
import type { WebhookEventType } from '../../webhooks/webhook-events.ts';

const DUPLICATE_KEY = 11000;
const RELAY_CURSOR = 'relay';

export function webhookModels(connection: Connection) {
  const subscription = new Schema(
    {
      _id: { type: String, required: true },
      url: { type: String, required: true },
      events: { type: [String], default: [] },
      description: { type: String, default: '' },
      status: { type: String, enum: ['active', 'disabled'], required: true },
      secret: { type: String, required: true },
      createdAt: { type: Date, required: true },
      updatedAt: { type: Date, required: true },
    },
    { versionKey: false, collection: 'webhook_subscriptions' },
  );
  const delivery = new Schema(
    {
      _id: { type: String, required: true },
      subscriptionId: { type: String, required: true },
      eventId: { type: String, required: true },
      type: { type: String, required: true },
      occurredAt: { type: Date, required: true },
      payload: { type: String, required: true },
      status: { type: String, enum: ['pending', 'delivered', 'failed'], required: true },
      attempts: { type: Number, required: true },
      roundStartedAt: { type: Number, required: true },
      nextAttemptAt: { type: Date, required: true },
      history: { type: Schema.Types.Mixed, default: [] },
      createdAt: { type: Date, required: true },
    },
    { versionKey: false, collection: 'webhook_deliveries', minimize: false },
  );
  // A subscription's deliveries in order of occurrence (the head of its queue, and its pages newest first); and
  // what is due, for the relay.
  delivery.index({ subscriptionId: 1, occurredAt: 1, eventId: 1 });
  delivery.index({ subscriptionId: 1, status: 1, occurredAt: 1, eventId: 1 });
  delivery.index({ status: 1, nextAttemptAt: 1 });
  // Leases and the relay's mark, one small document each: taken with single-document atomic writes.
  const lease = new Schema(
    {
      _id: { type: String, required: true },
      holder: String,
      until: Date,
    },
    { versionKey: false, collection: 'webhook_leases' },
  );
  return {
    WebhookSubscription: connection.model('WebhookSubscription', subscription),
    WebhookDelivery: connection.model('WebhookDelivery', delivery),
    WebhookLease: connection.model('WebhookLease', lease),
  };
}

export type WebhookModels = ReturnType<typeof webhookModels>;

/** Webhook subscriptions, deliveries and sending leases in MongoDB. */
export function createMongoWebhookStore(models: WebhookModels): WebhookStore {
  const { WebhookSubscription, WebhookDelivery, WebhookLease } = models;
  const toSubscription = (doc: Record<string, unknown>): Subscription => ({
    id: String(doc._id),
    url: String(doc.url),
    events: [...((doc.events as string[]) ?? [])] as WebhookEventType[],
    description: String(doc.description ?? ''),
    status: doc.status as Subscription['status'],
    secret: String(doc.secret),
    createdAt: new Date(doc.createdAt as Date),
    updatedAt: new Date(doc.updatedAt as Date),
  });
  const toDelivery = (doc: Record<string, unknown>): Delivery => ({
    id: String(doc._id),
    subscriptionId: String(doc.subscriptionId),
    eventId: String(doc.eventId),
    type: doc.type as WebhookEventType,
    occurredAt: new Date(doc.occurredAt as Date),
    payload: String(doc.payload),
    status: doc.status as Delivery['status'],
    attempts: Number(doc.attempts),
    roundStartedAt: Number(doc.roundStartedAt),
    nextAttemptAt: new Date(doc.nextAttemptAt as Date),
    history: ((doc.history as Record<string, unknown>[]) ?? []).map((h) => {
      const attempt: DeliveryAttempt = { at: new Date(h.at as Date) };
      if (h.status != null) attempt.status = Number(h.status);
      if (h.error != null) attempt.error = String(h.error);
      if (h.manual) attempt.manual = true;
      return attempt;
    }),
    createdAt: new Date(doc.createdAt as Date),
  });
  const toDoc = (d: Delivery) => {
    const { id, ...rest } = d;
    return { _id: id, ...rest };
  };

  return {
    async saveSubscription(s) {
      const { id, createdAt, ...rest } = s;
      await WebhookSubscription.updateOne({ _id: id }, { $set: rest, $setOnInsert: { createdAt } }, { upsert: true });
    },
    async findSubscription(id) {
      const doc = await WebhookSubscription.findById(id).lean();
      return doc ? toSubscription(doc as Record<string, unknown>) : undefined;
    },
    async listSubscriptions() {
      const docs = await WebhookSubscription.find().sort({ createdAt: 1, _id: 1 }).lean();
      return docs.map((d) => toSubscription(d as Record<string, unknown>));
    },
    async removeSubscription(id) {
      const { deletedCount } = await WebhookSubscription.deleteOne({ _id: id });
      if (!deletedCount) return false;
      await WebhookDelivery.deleteMany({ subscriptionId: id });
      await WebhookLease.deleteOne({ _id: `lease:${id}` });
      return true;
    },

    async addDeliveries(list) {
      const added: Delivery[] = [];
      if (!list.length) return added;
      // The relay offers many deliveries made long ago: one read skips those, then one unordered insert for the rest
      // (an event's deliveries to every subscription in one round trip), where a duplicate id (published meanwhile by
      // another node) makes nothing and keeps no other delivery out.
      const existing = new Set(
        (await WebhookDelivery.find({ _id: { $in: list.map((d) => d.id) } }, { _id: 1 }).lean()).map((d) =>
          String(d._id),
        ),
      );
      const fresh = list.filter((d) => !existing.has(d.id));
      if (!fresh.length) return added;
      try {
        await WebhookDelivery.insertMany(fresh.map(toDoc), { ordered: false });
        return fresh;
      } catch (err) {
        // mongoose gives each write error the index of its delivery in `fresh`.
        const writeErrors = (err as { writeErrors?: { index: number; code?: number }[] }).writeErrors;
        if (!writeErrors?.length || writeErrors.some((e) => e.code !== DUPLICATE_KEY)) throw err;
        const duplicates = new Set(writeErrors.map((e) => e.index));
        return fresh.filter((_, i) => !duplicates.has(i));
      }
    },
    async findDelivery(subscriptionId, eventId) {
      const doc = await WebhookDelivery.findOne({ subscriptionId, eventId }).lean();
      return doc ? toDelivery(doc as Record<string, unknown>) : undefined;
    },
    async headPending(subscriptionId) {
      const doc = await WebhookDelivery.findOne({ subscriptionId, status: 'pending' })
        .sort({ occurredAt: 1, eventId: 1 })
        .lean();
      return doc ? toDelivery(doc as Record<string, unknown>) : undefined;
    },
    async updateDelivery(id, update) {
      await WebhookDelivery.updateOne({ _id: id }, { $set: update });
    },
    async listDeliveries(subscriptionId, page) {
      const conditions: Record<string, unknown>[] = [{ subscriptionId }];
      if (page.status) conditions.push({ status: page.status });
      if (page.before)
        conditions.push({
          $or: [
            { occurredAt: { $lt: page.before.occurredAt } },
            { occurredAt: page.before.occurredAt, eventId: { $lt: page.before.eventId } },
          ],
        });
      const docs = await WebhookDelivery.find({ $and: conditions })
        .sort({ occurredAt: -1, eventId: -1 })
        .limit(page.limit)
        .lean();
      return docs.map((d) => toDelivery(d as Record<string, unknown>));
    },
    async subscriptionsDue(now) {
      const ids = await WebhookDelivery.distinct('subscriptionId', { status: 'pending', nextAttemptAt: { $lte: now } });
      return ids.map(String);
    },

    async acquireLease(subscriptionId, holder, until, now) {
      // Taken when free, lapsed or already ours; a lease another holder keeps makes the upsert collide on _id.
      try {
        await WebhookLease.updateOne(
          { _id: `lease:${subscriptionId}`, $or: [{ until: { $lte: now } }, { holder }] },
          { $set: { holder, until } },
          { upsert: true },
        );
        return true;
      } catch (err) {
        if ((err as { code?: number }).code === DUPLICATE_KEY) return false;
        throw err;
      }
    },
    async releaseLease(subscriptionId, holder) {
      await WebhookLease.deleteOne({ _id: `lease:${subscriptionId}`, holder });
    },

    async relayedUntil() {
      const doc = (await WebhookLease.findById(RELAY_CURSOR).lean()) as { until?: Date } | null;
      return doc?.until ? new Date(doc.until) : undefined;
    },
    async markRelayedUntil(at) {
      try {
        await WebhookLease.updateOne({ _id: RELAY_CURSOR }, { $max: { until: at } }, { upsert: true });
      } catch (err) {
        // Two nodes creating the mark at once: the other one's write stands, and the next run moves it on.
        if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
      }
    },
  };
}

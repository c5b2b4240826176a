import { Schema, type Connection } from 'mongoose';
import { AUDIT_LOOKUP_KEYS, expiryOf, type AuditEvent, type AuditLog } from '../../audit/audit-log.ts';

const DUPLICATE_KEY = 11000;
/** The text an event may carry besides its id, time, action, outcome, actor and details (all in the schema below). */
const OPTIONAL_TEXT = ['ip', 'requestId', 'organisationId', 'profileId', 'clientId'] as const;

export function auditModels(connection: Connection) {
  const event = new Schema(
    {
      _id: { type: String, required: true },
      at: { type: Date, required: true },
      action: { type: String, required: true },
      outcome: { type: String, enum: ['success', 'failure'], required: true },
      actor: { type: String, required: true },
      ip: String,
      requestId: String,
      organisationId: String,
      profileId: String,
      clientId: String,
      details: Schema.Types.Mixed,
      /** When MongoDB removes the event (the configured retention, from when it happened); absent: kept for ever. */
      expiresAt: Date,
    },
    { versionKey: false, collection: 'audit_events' },
  );
  // Newest first overall, and newest first for each thing support looks events up by.
  event.index({ at: -1, _id: -1 });
  for (const key of AUDIT_LOOKUP_KEYS) event.index({ [key]: 1, at: -1, _id: -1 });
  return { AuditEvent: connection.model('AuditEvent', event) };
}

export type AuditModels = ReturnType<typeof auditModels>;

/**
 * Retention's index: a TTL index, so that MongoDB's TTL monitor deletes each event once its own `expiresAt` has passed
 * (the time is on the event, not in the index: changing the retention needs no index change). A MongoDB-protocol
 * server without TTL indexes (FerretDB 1.x) gets a plain index instead, and the broker's periodic sweep
 * (`sweepExpired`) deletes expired events. Returns which of the two holds.
 */
export async function createAuditRetentionIndex(models: AuditModels): Promise<'ttl' | 'sweep'> {
  const collection = models.AuditEvent.collection;
  try {
    await collection.createIndex({ expiresAt: 1 }, { name: 'retention', expireAfterSeconds: 0 });
    return 'ttl';
  } catch (err) {
    if (!/expireAfterSeconds|not implemented|not supported/i.test((err as Error).message)) throw err;
    await collection.createIndex({ expiresAt: 1 }, { name: 'retention' });
    return 'sweep';
  }
}

/** The audit log in MongoDB: one insert per event, the unique `_id` making a retried record a no-op. */
export function createMongoAuditLog(
  models: AuditModels,
  retentionDays = 0,
): AuditLog & { sweepExpired(now: Date): Promise<number> } {
  const toEvent = (doc: Record<string, unknown>): AuditEvent => {
    const event: AuditEvent = {
      id: String(doc._id),
      at: new Date(doc.at as Date),
      action: String(doc.action),
      outcome: doc.outcome as AuditEvent['outcome'],
      actor: String(doc.actor),
    };
    for (const key of OPTIONAL_TEXT) if (doc[key] != null) event[key] = String(doc[key]);
    if (doc.details) event.details = doc.details as AuditEvent['details'];
    return event;
  };
  return {
    // Inserted with the driver rather than Model.create: the event arrives typed and complete, and mongoose's document
    // building and validation cost more CPU than the insert itself (0.9–1.3 ms against 0.5 ms per event, on every
    // sign-in: docs/decisions/0029). The document is built field by field, as the schema would keep it (no unknown
    // field, no absent one written as null).
    async record(event) {
      const doc: Record<string, unknown> = {
        _id: event.id,
        at: event.at,
        action: event.action,
        outcome: event.outcome,
        actor: event.actor,
      };
      for (const key of OPTIONAL_TEXT) if (event[key] !== undefined) doc[key] = event[key];
      if (event.details !== undefined) doc.details = event.details;
      const expiresAt = expiryOf(event.at, retentionDays);
      if (expiresAt) doc.expiresAt = expiresAt;
      try {
        await models.AuditEvent.collection.insertOne(doc);
      } catch (err) {
        if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
      }
    },
    async query(filter) {
      const conditions: Record<string, unknown>[] = [];
      for (const key of AUDIT_LOOKUP_KEYS) {
        if (filter[key] !== undefined) conditions.push({ [key]: filter[key] });
      }
      if (filter.from) conditions.push({ at: { $gte: filter.from } });
      if (filter.to) conditions.push({ at: { $lt: filter.to } });
      if (filter.after)
        conditions.push({
          $or: [{ at: { $lt: filter.after.at } }, { at: filter.after.at, _id: { $lt: filter.after.id } }],
        });
      const docs = await models.AuditEvent.find(conditions.length ? { $and: conditions } : {})
        .sort({ at: -1, _id: -1 })
        .limit(filter.limit)
        .lean();
      return docs.map((d) => toEvent(d as Record<string, unknown>));
    },
    async sweepExpired(now) {
      const { deletedCount } = await models.AuditEvent.deleteMany({ expiresAt: { $lte: now } });
      return deletedCount;
    },
  };
}

import { Schema, type Connection } from 'mongoose';
import type { ClientMetadata } from 'oidc-provider';
import type { ClientStore, StoredClient } from '../../clients/client-store.ts';

export function clientModels(connection: Connection) {
  const client = new Schema(
    {
      _id: { type: String, required: true },
      // Kept as one document so a client is replaced in one single-document write.
      metadata: { type: Schema.Types.Mixed, required: true },
      status: { type: String, enum: ['active', 'disabled'], required: true },
      source: { type: String, enum: ['configuration', 'admin'], required: true },
      tokenGeneration: { type: String },
      createdAt: { type: Date, required: true },
      updatedAt: { type: Date, required: true },
    },
    { versionKey: false, collection: 'clients', minimize: false },
  );
  return { Client: connection.model('Client', client) };
}

export type ClientModels = ReturnType<typeof clientModels>;

/** The portals' registrations in MongoDB, through mongoose. */
export function createMongoClientStore(models: ClientModels): ClientStore {
  const toClient = (doc: Record<string, unknown>): StoredClient => ({
    clientId: String(doc._id),
    metadata: doc.metadata as ClientMetadata,
    status: doc.status as StoredClient['status'],
    source: doc.source as StoredClient['source'],
    // Clients stored before generations existed have none: '' is their first.
    tokenGeneration: String(doc.tokenGeneration ?? ''),
    createdAt: new Date(doc.createdAt as Date),
    updatedAt: new Date(doc.updatedAt as Date),
  });
  return {
    async find(clientId) {
      const doc = await models.Client.findById(clientId).lean();
      return doc ? toClient(doc as Record<string, unknown>) : undefined;
    },
    async list() {
      const docs = await models.Client.find().sort({ _id: 1 }).lean();
      return docs.map((d) => toClient(d as Record<string, unknown>));
    },
    async save(client) {
      // One atomic upsert; $setOnInsert keeps the first creation time.
      await models.Client.updateOne(
        { _id: client.clientId },
        {
          $set: {
            metadata: client.metadata,
            status: client.status,
            source: client.source,
            tokenGeneration: client.tokenGeneration,
            updatedAt: client.updatedAt,
          },
          $setOnInsert: { createdAt: client.createdAt },
        },
        { upsert: true },
      );
    },
    async register(client) {
      await models.Client.updateOne(
        { _id: client.clientId },
        {
          $set: { metadata: client.metadata, source: client.source, updatedAt: client.updatedAt },
          $setOnInsert: { status: client.status, tokenGeneration: client.tokenGeneration, createdAt: client.createdAt },
        },
        { upsert: true },
      );
    },
    async remove(clientId) {
      const { deletedCount } = await models.Client.deleteOne({ _id: clientId });
      return deletedCount > 0;
    },
  };
}

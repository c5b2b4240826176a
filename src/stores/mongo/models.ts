import type { Connection } from 'mongoose';
import { auditModels } from './audit-log.ts';
import { clientModels } from './client-store.ts';
import { directoryModels } from './directory-models.ts';
import { webhookModels } from './webhook-store.ts';

const compiled = new WeakMap<Connection, BrokerModels>();

/**
 * Every collection the broker keeps in MongoDB, for the stores and for index creation (src/stores/mongo/indexes.ts).
 * Compiled once per connection (mongoose refuses a second model of one name), so each migration can ask for them.
 */
export function brokerModels(connection: Connection): BrokerModels {
  let models = compiled.get(connection);
  if (!models) {
    models = compile(connection);
    compiled.set(connection, models);
  }
  return models;
}

function compile(connection: Connection) {
  return {
    ...directoryModels(connection),
    ...clientModels(connection),
    ...auditModels(connection),
    ...webhookModels(connection),
  };
}

export type BrokerModels = ReturnType<typeof compile>;

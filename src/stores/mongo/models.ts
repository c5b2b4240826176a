import type { Connection } from 'mongoose';
import { auditModels } from './audit-log.ts';
import { clientModels } from './client-store.ts';
import { directoryModels } from './directory-models.ts';
import { webhookModels } from './webhook-store.ts';

/** Every collection the broker keeps in MongoDB, for the stores and for index creation (src/stores/mongo/indexes.ts). */
export function brokerModels(connection: Connection) {
  return {
    ...directoryModels(connection),
    ...clientModels(connection),
    ...auditModels(connection),
    ...webhookModels(connection),
  };
}

export type BrokerModels = ReturnType<typeof brokerModels>;

/**
 * Builds the MongoDB indexes the broker relies on (unique: one association per profile, one organisation per
 * account number; the audit log's lookups). Idempotent, e.g. after a restore: `MONGODB_URI=… npm run db:indexes`.
 * A new database gets them from `npm run db:migrate` (its first migration runs the same code), and CREATE_INDEXES=true
 * builds them at every start instead.
 */
import { createBrokerIndexes, describeIndexes } from '../../src/stores/mongo/indexes.ts';
import { brokerModels } from '../../src/stores/mongo/models.ts';
import { withMongodb } from './with-mongodb.ts';

await withMongodb('MONGODB_URI is not set', 'create indexes', async (connection) => {
  const models = brokerModels(connection);
  for (const line of await describeIndexes(models, await createBrokerIndexes(models)))
    process.stdout.write(`${line}\n`);
});

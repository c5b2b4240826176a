/**
 * Builds the MongoDB indexes the broker relies on (unique: one association per profile, one organisation per
 * account number; the audit log's lookups). Idempotent, e.g. after a restore: `MONGODB_URI=… npm run db:indexes`.
 * A new database gets them from `npm run db:migrate` (its first migration runs the same code), and CREATE_INDEXES=true
 * builds them at every start instead.
 */
import { createLogger } from '../../src/shared/logger.ts';
import { createMongoConnection } from '../../src/stores/mongo/connection.ts';
import { createBrokerIndexes, describeIndexes } from '../../src/stores/mongo/indexes.ts';
import { brokerModels } from '../../src/stores/mongo/models.ts';

const uri = process.env.MONGODB_URI;
if (!uri) {
  process.stderr.write('MONGODB_URI is not set\n');
  process.exit(2);
}
const connection = createMongoConnection(uri, createLogger('error'));
try {
  await connection.asPromise();
  const models = brokerModels(connection);
  for (const line of await describeIndexes(models, await createBrokerIndexes(models)))
    process.stdout.write(`${line}\n`);
} catch (err) {
  process.stderr.write(`cannot create indexes: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await connection.close();
}

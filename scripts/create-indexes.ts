/**
 * Builds the MongoDB indexes the broker relies on (unique: one association per profile, one organisation per
 * account number; the audit log's lookups). Run once per release: `MONGODB_URI=… npm run db:indexes`. CREATE_INDEXES=true does the same
 * at every start instead.
 */
import { createLogger } from '../src/shared/logger.ts';
import { createMongoConnection } from '../src/stores/mongo/connection.ts';
import { brokerModels } from '../src/stores/mongo/models.ts';
import { createAuditRetentionIndex } from '../src/stores/mongo/audit-log.ts';

const uri = process.env.MONGODB_URI;
if (!uri) {
  process.stderr.write('MONGODB_URI is not set\n');
  process.exit(2);
}
const connection = createMongoConnection(uri, createLogger('error'));
try {
  await connection.asPromise();
  const models = brokerModels(connection);
  const retention = await createAuditRetentionIndex(models);
  for (const [name, model] of Object.entries(models)) {
    await model.createIndexes();
    process.stdout.write(`${name}: ${Object.keys(await model.collection.indexInformation()).join(', ')}\n`);
  }
  process.stdout.write(
    retention === 'ttl'
      ? 'audit retention: TTL index (the server deletes expired events)\n'
      : 'audit retention: this server has no TTL indexes; the brokers delete expired events themselves\n',
  );
} catch (err) {
  process.stderr.write(`cannot create indexes: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await connection.close();
}

import { createAuditRetentionIndex } from './audit-log.ts';
import type { BrokerModels } from './models.ts';

/**
 * Builds every index the broker's collections declare, and the audit log's retention index. Idempotent: an index that
 * exists already is left as it is. One definition for the three ways indexes get built: CREATE_INDEXES at start,
 * `npm run db:indexes`, and the first migration of `npm run db:migrate`.
 */
export async function createBrokerIndexes(models: BrokerModels) {
  await Promise.all(Object.values(models).map((model) => model.createIndexes()));
  const retention = await createAuditRetentionIndex(models);
  const collections: Record<string, string[]> = {};
  for (const [name, model] of Object.entries(models))
    collections[name] = Object.keys(await model.collection.indexInformation());
  return { collections, retention };
}

/** The line an operator reads about audit retention, after the indexes were built. */
export function retentionLine(retention: 'ttl' | 'sweep'): string {
  return retention === 'ttl'
    ? 'audit retention: TTL index (the server deletes expired events)'
    : 'audit retention: this server has no TTL indexes; the brokers delete expired events themselves';
}

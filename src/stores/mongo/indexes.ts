import { createAuditRetentionIndex } from './audit-log.ts';
import type { BrokerModels } from './models.ts';

const NAMESPACE_NOT_FOUND = 26;

/**
 * Builds every index the broker's collections declare, and the audit log's retention index. Idempotent: an index that
 * exists already is left as it is. One definition for the three ways indexes get built: CREATE_INDEXES at start,
 * `npm run db:indexes`, and the first migration of `npm run db:migrate`. Returns how audit retention works.
 */
export async function createBrokerIndexes(models: BrokerModels): Promise<'ttl' | 'sweep'> {
  await Promise.all(Object.values(models).map((model) => model.createIndexes()));
  return createAuditRetentionIndex(models);
}

/** What an operator reads after building them: each collection's indexes, and how audit retention works. */
export async function describeIndexes(models: BrokerModels, retention: 'ttl' | 'sweep'): Promise<string[]> {
  const lines: string[] = [];
  for (const [name, model] of Object.entries(models)) {
    // A collection that declares no index of its own is created only with its first document.
    const indexes = await model.collection.indexInformation().then(
      (info) => Object.keys(info).join(', '),
      (err: { code?: number }) => {
        if (err.code === NAMESPACE_NOT_FOUND) return '(no documents yet)';
        throw err;
      },
    );
    lines.push(`${name}: ${indexes}`);
  }
  lines.push(
    retention === 'ttl'
      ? 'audit retention: TTL index (the server deletes expired events)'
      : 'audit retention: this server has no TTL indexes; the brokers delete expired events themselves',
  );
  return lines;
}

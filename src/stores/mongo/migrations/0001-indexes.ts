import { createBrokerIndexes, describeIndexes } from '../indexes.ts';
import { brokerModels } from '../models.ts';
import type { Migration } from './migration.ts';

/**
 * The indexes the broker relies on (unique: one association per profile, one organisation per account number; the
 * audit log's lookups and retention), built by the same code as `npm run db:indexes` and CREATE_INDEXES.
 */
export const createIndexes: Migration = {
  id: '0001-indexes',
  description: 'build the indexes of every collection',
  async up(connection, log) {
    const models = brokerModels(connection);
    for (const line of await describeIndexes(models, await createBrokerIndexes(models))) log(`  ${line}`);
  },
};

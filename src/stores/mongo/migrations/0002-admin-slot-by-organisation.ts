import { createBrokerIndexes } from '../indexes.ts';
import { brokerModels } from '../models.ts';
import type { Migration } from './migration.ts';

const INDEX_NOT_FOUND = 27;
const NAMESPACE_NOT_FOUND = 26;

/**
 * The unique index that allows one administrator per organisation now starts with `organisationId`, so that profiles
 * can be sharded on it: the new index is built first, then the one on `adminSlot` alone is dropped, so the rule holds
 * throughout. Safe to repeat: an index already built or already gone is left as it is.
 */
export const adminSlotByOrganisation: Migration = {
  id: '0002-admin-slot-by-organisation',
  description: 'profiles: the one-administrator index starts with organisationId',
  async up(connection, log) {
    await createBrokerIndexes(brokerModels(connection));
    await connection
      .db!.collection('profiles')
      .dropIndex('adminSlot_1')
      .then(
        () => log('  profiles: dropped adminSlot_1, kept organisationId_1_adminSlot_1'),
        (err: { code?: number }) => {
          if (err.code !== INDEX_NOT_FOUND && err.code !== NAMESPACE_NOT_FOUND) throw err;
          log('  profiles: no adminSlot_1 index to drop');
        },
      );
  },
};

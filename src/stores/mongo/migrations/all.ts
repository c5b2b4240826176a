import { createIndexes } from './0001-indexes.ts';
import { adminSlotByOrganisation } from './0002-admin-slot-by-organisation.ts';
import type { Migration } from './migration.ts';

/**
 * Every migration, oldest first. A release that changes what is stored adds one at the end; one that changes an
 * index declaration adds one that builds the indexes again (createBrokerIndexes), since 0001 runs once per database.
 * Never edit or remove one that has shipped: databases have it recorded as applied.
 */
export const MIGRATIONS: readonly Migration[] = [createIndexes, adminSlotByOrganisation];

/**
 * Brings a MongoDB database up to what this release expects: applies, in order, the migrations it has not recorded
 * yet (src/stores/mongo/migrations/), each recorded in the `migrations` collection once applied. Run it before a
 * release takes traffic (docs/operations.md, "Upgrading"); it is safe to run again, and from several places at once.
 *
 *   MONGODB_URI=… npm run db:migrate
 *
 * Exit codes: 0 up to date, 1 a migration failed (nothing recorded for it; run again once fixed), 2 usage.
 */
import { applyMigrations } from '../../src/stores/mongo/migrations/apply-migrations.ts';
import { MIGRATIONS } from '../../src/stores/mongo/migrations/all.ts';
import { withMongodb } from './with-mongodb.ts';

await withMongodb('usage: MONGODB_URI=… npm run db:migrate', 'migrate', async (connection) => {
  await applyMigrations(connection, MIGRATIONS, { log: (line) => process.stdout.write(`${line}\n`) });
});

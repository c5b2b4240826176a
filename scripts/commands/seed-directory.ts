/**
 * Loads organisations, profiles and associations into MongoDB from a seed file (the format of
 * config/demo/directory.json). Inserts what is missing, by id, and leaves existing records alone, so running it
 * again changes nothing; to update a directory, import it (`npm run admin -- directory import`).
 *
 *   MONGODB_URI=… npm run db:seed -- config/demo/directory.json
 */
import { readFileSync } from 'node:fs';
import { loadDirectorySettings } from '../../src/config/load.ts';
import { directorySeedSchema } from '../../src/directory/seed.ts';
import { directoryModels } from '../../src/stores/mongo/directory-models.ts';
import { seedMongoDirectory } from '../../src/stores/mongo/seed.ts';
import { withMongodb } from './with-mongodb.ts';

const USAGE = 'usage: MONGODB_URI=… npm run db:seed -- <directory.json>';
const [file] = process.argv.slice(2);
if (!process.env.MONGODB_URI || !file) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
// The kinds the brokers are configured with (PROFILE_KINDS, BROKER_CONFIG): a seed holds no other.
const parsed = directorySeedSchema(loadDirectorySettings().profileKinds).safeParse(
  JSON.parse(readFileSync(file, 'utf8')),
);
if (!parsed.success) {
  process.stderr.write(
    `${file} is not a valid directory seed:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}\n`,
  );
  process.exit(2);
}
await withMongodb(USAGE, 'seed', async (connection) => {
  const models = directoryModels(connection);
  await Promise.all(Object.values(models).map((model) => model.createIndexes()));
  const counts = await seedMongoDirectory(models, parsed.data);
  process.stdout.write(
    `seeded ${counts.organisations} organisations, ${counts.profiles} profiles, ${counts.associations} associations\n`,
  );
});

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
import { createLogger } from '../../src/shared/logger.ts';
import { createMongoConnection } from '../../src/stores/mongo/connection.ts';
import { directoryModels } from '../../src/stores/mongo/directory-models.ts';
import { seedMongoDirectory } from '../../src/stores/mongo/seed.ts';

const [file] = process.argv.slice(2);
const uri = process.env.MONGODB_URI;
if (!uri || !file) {
  process.stderr.write('usage: MONGODB_URI=… npm run db:seed -- <directory.json>\n');
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
const connection = createMongoConnection(uri, createLogger('error'));
try {
  await connection.asPromise();
  const models = directoryModels(connection);
  await Promise.all(Object.values(models).map((model) => model.createIndexes()));
  const counts = await seedMongoDirectory(models, parsed.data);
  process.stdout.write(
    `seeded ${counts.organisations} organisations, ${counts.profiles} profiles, ${counts.associations} associations\n`,
  );
} catch (err) {
  process.stderr.write(`cannot seed: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await connection.close();
}

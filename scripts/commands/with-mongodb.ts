import type { Connection } from 'mongoose';
import { createLogger } from '../../src/shared/logger.ts';
import { createMongoConnection } from '../../src/stores/mongo/connection.ts';

/**
 * What the database commands (`db:indexes`, `db:migrate`, `db:seed`) share: a connection to MONGODB_URI (`usage`
 * and exit code 2 without one), `work` on it, and the connection closed; a failure is one line, `cannot <doing>: …`,
 * and exit code 1.
 */
export async function withMongodb(
  usage: string,
  doing: string,
  work: (connection: Connection) => Promise<void>,
): Promise<void> {
  const uri = process.env.MONGODB_URI;
  if (!uri) {
    process.stderr.write(`${usage}\n`);
    process.exit(2);
  }
  const connection = createMongoConnection(uri, createLogger('error'));
  try {
    await connection.asPromise();
    await work(connection);
  } catch (err) {
    process.stderr.write(`cannot ${doing}: ${(err as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await connection.close();
  }
}

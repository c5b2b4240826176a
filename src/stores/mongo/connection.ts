import mongoose, { type Connection } from 'mongoose';
import type { Logger } from '../../shared/logger.ts';

/** Also for opening a connection again after its first attempt failed (mongoose does not retry that one). */
export const MONGO_OPTIONS = {
  bufferCommands: false,
  serverSelectionTimeoutMS: 1500,
  connectTimeoutMS: 2000,
  socketTimeoutMS: 5000,
  maxPoolSize: 20,
} as const;

/**
 * A mongoose connection that fails fast (docs/architecture.md §6): no command buffering while disconnected, 1.5 s to find
 * a server, 5 s per socket operation. The driver keeps reconnecting, so the broker recovers without a restart.
 */
export function createMongoConnection(uri: string, logger: Logger): Connection {
  const connection = mongoose.createConnection(uri, MONGO_OPTIONS);
  connection.on('disconnected', () => logger.warn('mongo.disconnected', {}));
  connection.on('reconnected', () => logger.info('mongo.reconnected', {}));
  connection.on('error', (err: Error) => logger.warn('mongo.error', { message: err.message }));
  return connection;
}

import { connectRedis, type RedisClient } from './connection-options.ts';
import type { Logger } from '../../shared/logger.ts';

/**
 * A Redis client that fails fast instead of hanging (docs/architecture.md §6): no offline queue (commands fail at once
 * while disconnected), one retry per command, 1.5 s per command (so a person hears of an outage within 2 s) and
 * 2 s to connect, and reconnection
 * forever in the background so the broker recovers without a restart when Redis returns.
 */
export function createRedis(url: string, logger: Logger, options: { name?: string } = {}): RedisClient {
  const redis = connectRedis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1500,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 250, 2000),
    lazyConnect: false,
    connectionName: options.name ?? 'profile-broker',
    // Commands issued in the same turn of the event loop (the lookups of concurrent requests, a token's reads) go to
    // Redis in one write: fewer system calls and packets, the same order and answers.
    enableAutoPipelining: true,
  });
  let healthy = true;
  redis.on('ready', () => {
    if (!healthy) logger.info('redis.recovered', {});
    healthy = true;
  });
  redis.on('error', (err: Error) => {
    if (healthy) logger.warn('redis.unavailable', { message: err.message });
    healthy = false;
  });
  return redis;
}

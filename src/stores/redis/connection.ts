import { Redis } from 'ioredis';
import { connectRedis, type RedisClient } from './connection-options.ts';
import type { Logger } from '../../shared/logger.ts';

/**
 * How the broker's connections fail fast instead of hanging (docs/architecture.md §6): no offline queue (commands fail
 * at once while disconnected), one retry per command, 1.5 s per command (so a person hears of an outage within 2 s)
 * and 2 s to connect, and reconnection forever in the background so the broker recovers without a restart when Redis
 * returns.
 */
export const FAIL_FAST = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 1500,
  connectTimeout: 2000,
  retryStrategy: (attempt: number) => Math.min(attempt * 250, 2000),
};

/** The stores' Redis client, failing fast (FAIL_FAST). */
export function createRedis(url: string, logger: Logger, options: { name?: string } = {}): RedisClient {
  const redis = connectRedis(url, {
    ...FAIL_FAST,
    lazyConnect: false,
    connectionName: options.name ?? 'profile-broker',
    // Commands issued in the same turn of the event loop (the lookups of concurrent requests, a token's reads) go to
    // Redis in one write: fewer system calls and packets, the same order and answers. Only while the connection is
    // busy, though (pipelineWhileBusy).
    enableAutoPipelining: true,
  });
  if (redis instanceof Redis) pipelineWhileBusy(redis);
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

/** How long a connection stays in batching mode after it last saw a command sent while others were in flight. */
const BUSY_FOR_MS = 1000;

/**
 * Auto-pipelining only while the connection is busy. Each batch is a new ioredis Pipeline that waits for the event
 * loop's next turn, which costs more CPU than it saves when requests come one at a time: the adapter benchmark
 * (test/bench/redis-oidc-adapter.ts) spends about 300 µs of Node.js CPU per refresh grant at concurrency 1 with it and
 * 190 µs without, and the same at 4 and 16 either way (docs/decisions/0028). So a command is sent at once unless a
 * command was sent while another awaited its answer within the last second, or a batch is waiting to go: then it
 * joins the batch. Either way nothing overtakes what was issued before it on this connection: a command goes straight
 * out only when none is waiting to be sent.
 */
function pipelineWhileBusy(redis: Redis): void {
  // ioredis reads `options.enableAutoPipelining` at every call (utils/Commander.js), which lets a getter decide. What
  // it reads is ioredis's own: should a version lack it, plain auto-pipelining stays (test/stores/redis-connection).
  const internals = redis as unknown as { commandQueue?: { length: number }; _autoPipelines?: Map<string, unknown> };
  // The command queue is replaced when the connection closes, so it is read each time; the batches' map is not.
  const waiting = internals._autoPipelines;
  if (!internals.commandQueue || !(waiting instanceof Map)) return;
  let busyUntil = 0;
  Object.defineProperty(redis.options, 'enableAutoPipelining', {
    configurable: true,
    get: () => {
      const now = performance.now();
      if ((internals.commandQueue?.length ?? 0) > 0) busyUntil = now + BUSY_FOR_MS;
      return now < busyUntil || waiting.size > 0;
    },
  });
}

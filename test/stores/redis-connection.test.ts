import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { createRedis } from '../../src/stores/redis/connection.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { startRedis } from '../support/redis.ts';
import { waitUntil } from '../support/wait.ts';

describe("the stores' Redis connection", () => {
  let server: Awaited<ReturnType<typeof startRedis>>;
  let redis: Redis;
  /** How many batches (ioredis pipelines) the connection has made so far: auto-pipelining makes one per batch. */
  let batches = 0;
  const prefix = `t${Date.now()}:conn:`;

  beforeAll(async () => {
    server = await startRedis();
    redis = createRedis(server.url, createLogger('silent')) as Redis;
    await waitUntil(async () => redis.status === 'ready', 10_000, 'redis ready');
    // Connecting sent commands of its own; batching stops a second after the last of them was in flight.
    await waitUntil(async () => !redis.options.enableAutoPipelining, 10_000, 'connection idle');
    const pipeline = redis.pipeline.bind(redis);
    redis.pipeline = ((...args: Parameters<Redis['pipeline']>) => {
      batches += 1;
      return pipeline(...args);
    }) as Redis['pipeline'];
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('sends commands one at a time straight out, and batches those issued while others are in flight, in order', async () => {
    // One request at a time: no batch, each command goes out at once.
    for (let i = 0; i < 10; i++) await redis.set(`${prefix}a`, String(i));
    expect(await redis.get(`${prefix}a`)).toBe('9');
    expect(batches).toBe(0);

    // Many at once (concurrent requests): batched, and Redis sees them in the order they were issued.
    const writes = Array.from({ length: 50 }, (_, i) => redis.rpush(`${prefix}order`, String(i)));
    const [, read] = await Promise.all([Promise.all(writes), redis.lrange(`${prefix}order`, 0, -1)]);
    expect(read).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    expect(batches).toBeGreaterThan(0);

    // A write and a read of the same key issued together: the read sees the write, whichever way each went out.
    for (let i = 0; i < 20; i++) {
      const [, value] = await Promise.all([redis.set(`${prefix}b`, `v${i}`), redis.get(`${prefix}b`)]);
      expect(value).toBe(`v${i}`);
    }
  });
});

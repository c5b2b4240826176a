import type { RedisClient } from './connection-options.ts';
import type { Generation } from '../cached-reads.ts';

/** A generation counter every node shares (stores/cached-reads.ts): one Redis key, read with GET, raised with INCR. */
export function redisGeneration(redis: RedisClient, key: string): Generation {
  return {
    current: async () => (await redis.get(key)) ?? '0',
    bump: async () => void (await redis.incr(key)),
  };
}

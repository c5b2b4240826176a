import type { Redis } from 'ioredis';
import type { Generation } from '../cached-reads.ts';

/** A generation counter every node shares (stores/cached-reads.ts): one Redis key, read with GET, raised with INCR. */
export function redisGeneration(redis: Redis, key: string): Generation {
  return {
    current: async () => (await redis.get(key)) ?? '0',
    bump: async () => void (await redis.incr(key)),
  };
}

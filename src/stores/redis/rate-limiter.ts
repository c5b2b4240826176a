import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiter } from '../../association/rate-limiter.ts';

/** A fixed-window counter shared by every node (rate-limiter-flexible on Redis). Redis down: the call fails, closed. */
export function createRedisRateLimiter(redis: Redis, options: { keyPrefix: string; points: number; windowSeconds: number }): RateLimiter {
  const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${options.keyPrefix}:rl`, points: options.points, duration: options.windowSeconds, useRedisPackage: false });
  return {
    async consume(key) {
      try {
        await limiter.consume(key);
        return { allowed: true, retryAfterSeconds: 0 };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
        throw rejection;
      }
    },
  };
}

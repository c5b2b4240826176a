import type { RedisClient } from './connection-options.ts';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { RateLimiter } from '../../association/rate-limiter.ts';
import { fromRateLimiterFlexible } from '../rate-limiter-flexible.ts';

/** A fixed-window counter shared by every node (rate-limiter-flexible on Redis). Redis down: the call fails, closed. */
export function createRedisRateLimiter(
  redis: RedisClient,
  options: { keyPrefix: string; points: number; windowSeconds: number },
): RateLimiter {
  return fromRateLimiterFlexible(
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${options.keyPrefix}:rl`,
      points: options.points,
      duration: options.windowSeconds,
      useRedisPackage: false,
    }),
  );
}

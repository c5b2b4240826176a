import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { RateLimiter } from '../../association/rate-limiter.ts';
import { fromRateLimiterFlexible } from '../rate-limiter-flexible.ts';

/** A fixed-window counter in process memory (rate-limiter-flexible); the Redis variant shares it across nodes. */
export function createMemoryRateLimiter(options: {
  keyPrefix: string;
  points: number;
  windowSeconds: number;
}): RateLimiter {
  return fromRateLimiterFlexible(
    new RateLimiterMemory({ keyPrefix: options.keyPrefix, points: options.points, duration: options.windowSeconds }),
  );
}

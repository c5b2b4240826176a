import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiter } from '../../association/rate-limiter.ts';

/** A fixed-window counter in process memory (rate-limiter-flexible); the Redis variant shares it across nodes. */
export function createMemoryRateLimiter(options: { keyPrefix: string; points: number; windowSeconds: number }): RateLimiter {
  const limiter = new RateLimiterMemory({ keyPrefix: options.keyPrefix, points: options.points, duration: options.windowSeconds });
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

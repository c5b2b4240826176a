import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimiter } from '../association/rate-limiter.ts';

/** The broker's RateLimiter over any rate-limiter-flexible limiter: a refusal is an answer, anything else an error. */
export function fromRateLimiterFlexible(limiter: RateLimiterAbstract): RateLimiter {
  return {
    async consume(key) {
      try {
        const result = await limiter.consume(key);
        return { allowed: true, retryAfterSeconds: 0, used: result.consumedPoints };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes)
          return {
            allowed: false,
            retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
            used: rejection.consumedPoints,
          };
        throw rejection;
      }
    },
  };
}

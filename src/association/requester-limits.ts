import type { UpstreamIdentity } from '../directory/model.ts';
import { rateLimitKeyForAddress } from '../shared/client-address.ts';
import { RateLimitedError } from '../shared/errors.ts';
import type { RateLimiter } from './rate-limiter.ts';

/**
 * The limits a person asking for links may be told about: per upstream identity and per client address. They say
 * nothing about the address asked for (its own limits apply silently, off the request path: request-links.ts).
 */
export async function checkRequesterLimits(
  limiters: { perIdentity: RateLimiter; perIp: RateLimiter },
  requester: { identity: Pick<UpstreamIdentity, 'upstreamId' | 'subject'>; ip: string },
): Promise<void> {
  for (const [limiter, key] of [
    [limiters.perIdentity, `${requester.identity.upstreamId}|${requester.identity.subject}`],
    [limiters.perIp, rateLimitKeyForAddress(requester.ip)],
  ] as const) {
    const result = await limiter.consume(key);
    if (!result.allowed)
      throw new RateLimitedError('too_many_requests', 'association request limit reached', result.retryAfterSeconds);
  }
}

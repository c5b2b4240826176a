import type { Middleware } from 'koa';
import type { RateLimiter } from '../association/rate-limiter.ts';
import { rateLimitKeyForAddress } from '../shared/client-address.ts';
import { RateLimitedError } from '../shared/errors.ts';

/** oidc-provider's authorization endpoint (its default route). */
const AUTHORIZATION_PATH = '/auth';

/**
 * Anyone may start a sign-in, and each one the broker cannot answer at once is kept in Redis until it expires:
 * authorization requests are counted per client address before oidc-provider sees them, and refused with a 429
 * page over the limit. `prompt=none` requests are not counted: they are answered at once and keep nothing.
 */
export function signInLimit(limiter: RateLimiter): Middleware {
  return async (ctx, next) => {
    if (ctx.path === AUTHORIZATION_PATH && (ctx.method === 'GET' || ctx.method === 'POST') && !(ctx.method === 'GET' && ctx.query.prompt === 'none')) {
      const result = await limiter.consume(rateLimitKeyForAddress(ctx.ip));
      if (!result.allowed) throw new RateLimitedError('too_many_sign_ins', 'sign-in limit reached for this address', result.retryAfterSeconds);
    }
    await next();
  };
}

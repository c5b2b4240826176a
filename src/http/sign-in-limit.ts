import type { Middleware } from 'koa';
import type { RateLimiter } from '../association/rate-limiter.ts';
import { rateLimitKeyForAddress } from '../shared/client-address.ts';
import { RateLimitedError } from '../shared/errors.ts';

/** oidc-provider's authorization and pushed authorization request endpoints (its default routes). */
const AUTHORIZATION_PATH = '/auth';
const PUSHED_REQUEST_PATH = '/request';

/**
 * `prompt=none` keeps nothing; but with a pushed (`request_uri`) or signed (`request`) request oidc-provider takes
 * the prompt from that request and ignores the query's, so only a plain query's `prompt=none` is exempt.
 */
const answeredAtOnce = (query: Record<string, unknown>) =>
  query.prompt === 'none' && query.request_uri === undefined && query.request === undefined;

/**
 * Anyone may start a sign-in, and each one the broker cannot answer at once is kept in Redis until it expires:
 * authorization requests are counted per client address before oidc-provider sees them, and refused with a 429
 * page over the limit, and so are pushed authorization requests (each kept until used). Plain `prompt=none` requests
 * are not counted: they are answered at once and keep nothing.
 */
export function signInLimit(limiter: RateLimiter): Middleware {
  return async (ctx, next) => {
    const authorization =
      ctx.path === AUTHORIZATION_PATH &&
      (ctx.method === 'GET' || ctx.method === 'POST') &&
      !(ctx.method === 'GET' && answeredAtOnce(ctx.query));
    const pushed = ctx.path === PUSHED_REQUEST_PATH && ctx.method === 'POST';
    if (authorization || pushed) {
      const result = await limiter.consume(rateLimitKeyForAddress(ctx.ip));
      if (!result.allowed)
        throw new RateLimitedError(
          'too_many_sign_ins',
          'sign-in limit reached for this address',
          result.retryAfterSeconds,
        );
    }
    await next();
  };
}

import type { Context } from 'koa';
import type { CookieSigner } from '../shared/cookie-signer.ts';
import { ForbiddenError } from '../shared/errors.ts';
import { safeEqual } from '../shared/ids.ts';

/**
 * Form protection for the broker's own POSTs: a token bound to the interaction (the cookie signer's keyed digest of
 * its id, so no storage is needed) and, when the browser sends one, an Origin equal to the broker's.
 */
export function createCsrf(signer: Pick<CookieSigner, 'digest'>, issuer: string) {
  const origin = new URL(issuer).origin;
  const tokenFor = (scope: string) => signer.digest(`csrf:${scope}`);
  return {
    tokenFor,
    verify(ctx: Context, scope: string, submitted: unknown) {
      const sentOrigin = ctx.get('Origin');
      // Browsers send `Origin: null` for form posts from pages with Referrer-Policy: no-referrer (every broker
      // page), so "null" proves nothing either way; the interaction-bound token and SameSite cookies decide.
      if (sentOrigin && sentOrigin !== 'null' && sentOrigin !== origin)
        throw new ForbiddenError('cross_origin', `form posted from origin ${sentOrigin}`);
      if (typeof submitted !== 'string' || !safeEqual(submitted, tokenFor(scope))) {
        throw new ForbiddenError('csrf_failed', 'missing or wrong CSRF token');
      }
    },
  };
}

export type Csrf = ReturnType<typeof createCsrf>;

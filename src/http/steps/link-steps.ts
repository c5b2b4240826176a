import type { Context } from 'koa';
import { hashLinkToken, LINK_TOKEN_PATTERN } from '../../association/link.ts';
import type { InspectedLink, UnusableLinkState } from '../../association/redeem-link.ts';
import type { PageDeps } from '../use-cases.ts';
import type { Views } from '../views.ts';
import { bodyStep, csrfStep, formStep } from './interaction-steps.ts';
import { step } from './route.ts';

/** The signed cookie an emailed link's token is moved into (docs/architecture.md §4). */
export const LINK_COOKIE = 'broker.link';

export interface WithLinkToken {
  /** Only the token's hash is kept: the token itself opens the link and goes no further than this step. */
  token: { hash: string };
}
export interface WithUsableLink {
  link: Extract<InspectedLink, { outcome: 'usable' }>;
}

/**
 * The steps of the emailed link's pages: the token from this browser's cookie, the posted form and its CSRF check
 * (bound to the link), and the link itself, which must still be usable. A link that cannot be used ends the route
 * with the one page that says why (`respondLinkUnusable`).
 */
export function createLinkSteps(deps: Pick<PageDeps, 'useCases' | 'views' | 'csrf'>) {
  return {
    token: step<WithLinkToken>(async (ctx, next) => {
      const value = ctx.cookies.get(LINK_COOKIE, { signed: true });
      if (!value || !LINK_TOKEN_PATTERN.test(value)) return respondLinkUnusable(ctx, deps.views, 'missing');
      ctx.state.token = { hash: hashLinkToken(value) };
      await next();
    }),

    /** Reads the posted form (at most 4 KB: the link's page posts a token and a button). */
    body: bodyStep('4kb'),

    form: formStep,

    csrf: csrfStep(deps, (state: WithLinkToken) => `link:${state.token.hash}`),

    usableLink: step<WithUsableLink, WithLinkToken>(async (ctx, next) => {
      const inspected = await deps.useCases.links.inspect(ctx.state.token.hash);
      if (inspected.outcome === 'unusable') return respondLinkUnusable(ctx, deps.views, inspected.state);
      ctx.state.link = inspected;
      await next();
    }),
  };
}

/**
 * The one answer for a link that cannot be used, whoever found out (its landing page, its button, its redemption):
 * 400 without a link, 404 for a token nobody issued, 410 for a link that is spent, expired, superseded, revoked or
 * whose profile is gone.
 */
export function respondLinkUnusable(ctx: Context, views: Views, state: UnusableLinkState | 'missing'): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.status = state === 'missing' ? 400 : state === 'unknown' ? 404 : 410;
  ctx.body = views.page(ctx, 'association/link-unusable', {
    title: views.t(ctx, state === 'missing' ? 'association.unusable.missingTitle' : 'association.unusable.title'),
    state,
    // The language switch links to the page's own address again: only the landing page's may be opened twice.
    ...(ctx.method === 'GET' && ctx.path === '/associate' ? {} : { languages: [] }),
  });
}

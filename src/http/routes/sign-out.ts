import Router from '@koa/router';
import { SIGNED_OUT_PATH } from '../../federation/upstream-sign-out.ts';
import type { Context } from 'koa';
import { singleParam } from '../validate.ts';
import type { PageDeps } from '../use-cases.ts';

/** The broker's page for a sign-out whose upstream session could not be ended by the broker. */
export const STILL_SIGNED_IN_PATH = '/signed-out/upstream';

const handleOf = (ctx: Context) => {
  const state = singleParam(ctx.query.state);
  return state && state.length <= 128 ? state : undefined;
};

/**
 * The end of a sign-out (http/session-tracking.ts starts it): back from the upstream's sign-out, the person goes on
 * to where the broker's own sign-out was sending them (the portal's post-logout URI); or, where the upstream cannot
 * be signed out of by the broker, a page says so plainly.
 */
export function signOutRoutes(deps: PageDeps): Router {
  const router = new Router();

  router.get(SIGNED_OUT_PATH, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const handle = handleOf(ctx);
    const pending = handle ? await deps.useCases.sessions.pendingSignOut(handle, { take: true }) : undefined;
    if (pending) {
      ctx.status = 303;
      ctx.redirect(pending.returnTo);
      return;
    }
    // Reloaded, or the upstream sent no state back: the person is signed out all the same.
    ctx.body = deps.views.page(ctx, 'oidc/logged-out', {
      title: deps.views.t(ctx, 'oidc.loggedOut.title'),
      upstreamSignedOut: true,
    });
  });

  router.get(STILL_SIGNED_IN_PATH, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const handle = handleOf(ctx);
    const pending = handle ? await deps.useCases.sessions.pendingSignOut(handle, { take: false }) : undefined;
    const upstream = pending ? deps.upstreams.get(pending.upstreamId) : undefined;
    ctx.body = deps.views.page(ctx, 'oidc/still-signed-in', {
      title: deps.views.t(ctx, 'oidc.stillSignedIn.title'),
      upstreamName: upstream?.config.name,
      upstreamSignOutUri: upstream?.config.signOutUri,
      // The broker's own "signed out" page needs no link: this page says it all.
      continueTo:
        pending && !pending.returnTo.startsWith(`${deps.config.issuer}/session/end`) ? pending.returnTo : undefined,
      clientName: pending?.clientName,
    });
  });

  return router;
}

import Router from '@koa/router';
import { BadRequestError } from '../../shared/errors.ts';
import type { UpstreamCallbacks } from '../upstream-callbacks.ts';
import { singleParam } from '../validate.ts';

/**
 * Where upstreams send people back, for every kind of round-trip: the state must be usable and started in this
 * browser; the kind that started it (registered with `callbacks`) does the rest.
 */
export function upstreamCallbackRoutes(callbacks: UpstreamCallbacks): Router {
  const router = new Router();

  router.get('/upstream/callback/:upstreamId', async (ctx) => {
    const state = singleParam(ctx.query.state);
    if (!state || state.length > 512) throw new BadRequestError('state_missing', 'callback without a usable state');
    await callbacks.dispatch(ctx, state, String(ctx.params.upstreamId));
  });

  return router;
}

import Router from '@koa/router';
import type { Context } from 'koa';
import { completeUpstreamSignIn } from '../../federation/complete-sign-in.ts';
import { brokerResult, readBrokerState } from '../../oidc/interaction-state.ts';
import { BadRequestError, FlowExpiredError, UpstreamError } from '../../shared/errors.ts';
import { safeEqual } from '../../shared/ids.ts';
import { callbackUri, remainingSeconds, type InteractionDeps } from '../interaction-context.ts';
import { singleParam } from '../validate.ts';
import { completeLinkCallback, LINK_CALLBACK_MARKER, type LinkRouteDeps } from './association-link.ts';
import { forgetUpstreamRoundTrip, readUpstreamRoundTrip } from '../upstream-cookie.ts';
import { keepSignedInInteraction } from '../signed-in-interaction.ts';

const foreignResponse = () => new BadRequestError('state_mismatch', 'callback state not started in this browser');

/**
 * Where upstreams send people back. The state is checked against the transaction kept in the interaction named
 * by this browser's cookie, and the transaction is forgotten before the code is redeemed: a replayed or foreign
 * callback is refused before any token request.
 */
export function upstreamCallbackRoutes(deps: InteractionDeps & LinkRouteDeps): Router {
  const router = new Router();

  router.get('/upstream/callback/:upstreamId', async (ctx: Context) => {
    const state = singleParam(ctx.query.state);
    if (!state || state.length > 512) throw new BadRequestError('state_missing', 'callback without a usable state');

    const uid = readUpstreamRoundTrip(ctx, state);
    if (!uid) throw foreignResponse();
    if (uid === LINK_CALLBACK_MARKER) {
      await completeLinkCallback(ctx, deps, state, String(ctx.params.upstreamId));
      return;
    }

    const interaction = await deps.provider.Interaction.find(uid);
    if (!interaction) throw new FlowExpiredError();
    const pending = readBrokerState(interaction.result);
    if (
      pending?.step !== 'upstream_pending' ||
      !safeEqual(pending.transaction.state, state) ||
      pending.transaction.upstreamId !== ctx.params.upstreamId
    ) {
      throw foreignResponse();
    }
    const { transaction } = pending;
    const now = deps.clock.now();
    interaction.result = {};
    await interaction.save(remainingSeconds(interaction.exp, now));
    forgetUpstreamRoundTrip(ctx, state);
    if (transaction.expiresAt < Math.floor(now.getTime() / 1000)) throw new FlowExpiredError();

    const upstream = deps.upstreams.get(transaction.upstreamId);
    if (!upstream) throw new FlowExpiredError('upstream_disabled', 'the upstream of this transaction is disabled');

    let identity;
    try {
      identity = await completeUpstreamSignIn(upstream, transaction, {
        redirectUri: callbackUri(deps.config, upstream.config.id),
        query: new URLSearchParams(ctx.querystring),
        now: deps.clock.now(),
      });
    } catch (err) {
      if (err instanceof UpstreamError && err.oauthError) {
        // The portal hears about it as an OAuth error on its own redirect URI, with its own state.
        interaction.result = { error: err.oauthError.error, error_description: err.oauthError.description };
        await interaction.save(remainingSeconds(interaction.exp, deps.clock.now()));
        ctx.status = 303;
        ctx.redirect(interaction.returnTo);
        return;
      }
      throw err;
    }

    deps.logger.info('upstream.signed_in', { interaction: uid, upstream: identity.upstreamId });
    interaction.result = brokerResult({ step: 'identified', identity, remember: transaction.remember });
    await keepSignedInInteraction(ctx, deps, interaction);
    ctx.status = 303;
    ctx.redirect(`/interaction/${uid}`);
  });

  return router;
}

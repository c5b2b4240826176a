import { BadRequestError, FlowExpiredError } from '../../shared/errors.ts';
import { respondLinkUnusable } from '../steps/link-steps.ts';
import {
  finishUpstreamRoundTrip,
  forgetUpstreamRoundTrip,
  upstreamAnswer,
  type CallbackHandler,
} from '../upstream-callbacks.ts';
import type { PageDeps } from '../use-cases.ts';

/**
 * The pages of a refused redemption answer the upstream's one-time callback address: the language switch's links
 * (that address again) would go back to the link's page, so they show none; they are in the language of the link's
 * landing page before them.
 */
const ONE_TIME_PAGE = { languages: [] };

/** Where the association a link made is shown, as often as the person reloads it (association-link.ts). */
export const LINK_DONE_PAGE = '/associate/done';

/**
 * The upstream came back from a link's re-authentication: redeem the link if, and only if, the identity matches.
 * However it ends, a reload of this address goes to a page that shows the end (the success page, or the link's own
 * page to try again), never a refusal of the spent answer.
 */
export function linkCallback(deps: PageDeps): CallbackHandler {
  return async (ctx, { state, upstreamId }) => {
    const pending = await deps.useCases.links.reauthentication.take(state);
    forgetUpstreamRoundTrip(ctx, state);
    if (!pending || pending.transaction.upstreamId !== upstreamId) {
      throw new BadRequestError('link_state_mismatch', 'link callback state unknown or spent');
    }
    const upstream = deps.upstreams.get(upstreamId);
    if (!upstream) throw new FlowExpiredError();
    const answer = await upstreamAnswer(ctx, deps, upstream, pending.transaction);
    if ('refused' in answer) {
      finishUpstreamRoundTrip(ctx, state, '/associate');
      ctx.body = deps.views.page(ctx, 'association/cancelled', {
        title: deps.views.t(ctx, 'association.cancelled.title'),
        ...ONE_TIME_PAGE,
        upstreamName: upstream.config.name,
      });
      return;
    }

    const result = await deps.useCases.links.redeem(pending.tokenHash, answer.identity, {
      ip: ctx.ip,
      language: deps.views.language(ctx),
    });
    ctx.set('Cache-Control', 'no-store');
    if (result.outcome === 'unusable') {
      finishUpstreamRoundTrip(ctx, state, '/associate');
      respondLinkUnusable(ctx, deps.views, result.state);
      return;
    }
    if (result.outcome === 'wrong_identity') {
      finishUpstreamRoundTrip(ctx, state, '/associate');
      ctx.status = 403;
      ctx.body = deps.views.page(ctx, 'association/wrong-account', {
        title: deps.views.t(ctx, 'association.wrongAccount.title'),
        ...ONE_TIME_PAGE,
        upstreamName: upstream.config.name,
        upstreamSupportUri: upstream.config.supportUri,
      });
      return;
    }
    // The link's cookie stays: it is what the success page reads the association back from, reload after reload.
    finishUpstreamRoundTrip(ctx, state, LINK_DONE_PAGE);
    ctx.status = 303;
    ctx.redirect(LINK_DONE_PAGE);
  };
}

import { BadRequestError, FlowExpiredError } from '../../shared/errors.ts';
import { LINK_COOKIE, respondLinkUnusable } from '../steps/link-steps.ts';
import { forgetUpstreamRoundTrip, upstreamAnswer, type CallbackHandler } from '../upstream-callbacks.ts';
import type { PageDeps } from '../use-cases.ts';

/**
 * These pages answer the upstream's one-time callback address: the language switch's links (that address again)
 * would replay it, so they show none; they are in the language of the link's landing page before them.
 */
const ONE_TIME_PAGE = { languages: [] };

/** The upstream came back from a link's re-authentication: redeem the link if, and only if, the identity matches. */
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
      respondLinkUnusable(ctx, deps.views, result.state);
      return;
    }
    if (result.outcome === 'wrong_identity') {
      ctx.status = 403;
      ctx.body = deps.views.page(ctx, 'association/wrong-account', {
        title: deps.views.t(ctx, 'association.wrongAccount.title'),
        ...ONE_TIME_PAGE,
        upstreamName: upstream.config.name,
        upstreamSupportUri: upstream.config.supportUri,
      });
      return;
    }
    ctx.cookies.set(LINK_COOKIE, null, { path: '/associate' });
    const client = result.link.clientId
      ? await deps.provider.Client.find(result.link.clientId).catch(() => undefined)
      : undefined;
    const metadata = client?.metadata();
    ctx.body = deps.views.page(ctx, 'association/success', {
      title: deps.views.t(ctx, 'association.success.title'),
      ...ONE_TIME_PAGE,
      upstreamName: upstream.config.name,
      organisation: result.organisation,
      profile: result.profile,
      reference: result.reference,
      portalName: client?.clientName ?? client?.clientId,
      // "Back to the portal": where the portal says a sign-in starts, else its home page.
      portalUrl: metadata?.initiate_login_uri ?? metadata?.client_uri,
    });
  };
}

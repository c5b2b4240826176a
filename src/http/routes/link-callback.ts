import { BadRequestError, FlowExpiredError } from '../../shared/errors.ts';
import { LINK_COOKIE, respondLinkUnusable } from '../steps/link-steps.ts';
import { forgetUpstreamRoundTrip, upstreamAnswer, type CallbackHandler } from '../upstream-callbacks.ts';
import type { PageDeps } from '../use-cases.ts';

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
      ctx.body = deps.views.render('association/cancelled', {
        title: 'Nothing was changed',
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
      ctx.body = deps.views.render('association/wrong-account', {
        title: 'Sign in with the account you used before',
        upstreamName: upstream.config.name,
      });
      return;
    }
    ctx.cookies.set(LINK_COOKIE, null, { path: '/associate' });
    const client = result.link.clientId
      ? await deps.provider.Client.find(result.link.clientId).catch(() => undefined)
      : undefined;
    const metadata = client?.metadata();
    ctx.body = deps.views.render('association/success', {
      title: 'Your account is now associated',
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

import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import { hashLinkToken, LINK_TOKEN_PATTERN } from '../../association/link.ts';
import { inspectLink, redeemAssociationLink, type RedeemDeps } from '../../association/redeem-link.ts';
import type { Config } from '../../config/schema.ts';
import { completeUpstreamSignIn } from '../../federation/complete-sign-in.ts';
import type { UpstreamTransactionStore } from '../../federation/transaction-store.ts';
import { beginUpstreamSignIn } from '../../federation/upstream-transaction.ts';
import type { Upstreams } from '../../federation/upstreams.ts';
import type { Clock } from '../../shared/clock.ts';
import { BadRequestError, FlowExpiredError, UpstreamError } from '../../shared/errors.ts';
import { sha256 } from '../../shared/ids.ts';
import type { Logger } from '../../shared/logger.ts';
import type { Csrf } from '../csrf.ts';
import { callbackUri } from '../interaction-context.ts';
import { parseInput } from '../validate.ts';
import type { Views } from '../views.ts';
import { forgetUpstreamRoundTrip, rememberUpstreamRoundTrip, UPSTREAM_ROUND_TRIP_SECONDS } from '../upstream-cookie.ts';

export interface LinkRouteDeps {
  config: Config;
  provider: Provider;
  upstreams: Upstreams;
  views: Views;
  csrf: Csrf;
  clock: Clock;
  logger: Logger;
  redeem: RedeemDeps;
  linkTransactions: UpstreamTransactionStore<{ tokenHash: string }>;
}

/** Marks an upstream callback as the re-authentication of an association link (the value of its cookie). */
export const LINK_CALLBACK_MARKER = 'association-link';
const LINK_COOKIE = 'broker.link';

/**
 * Seed steps 7–9: the emailed link. Opening it changes nothing: the token moves from the URL into a cookie
 * before any page renders, and the landing page names the profile with one button. The button starts a forced
 * upstream re-authentication; only the identity that asked for the link can then redeem it.
 */
export function associationLinkRoutes(deps: LinkRouteDeps): Router {
  const router = new Router({ prefix: '/associate' });
  const form = bodyParser({ enableTypes: ['form'], formLimit: '4kb' });

  const tokenFrom = (ctx: Context) => {
    const token = ctx.cookies.get(LINK_COOKIE, { signed: true });
    return token && LINK_TOKEN_PATTERN.test(token) ? token : undefined;
  };

  router.get('/', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const token = tokenFrom(ctx);
    if (!token) {
      ctx.status = 400;
      ctx.body = deps.views.render('association/link-unusable', {
        title: 'Open the link from your email',
        state: 'missing',
      });
      return;
    }
    const tokenHash = hashLinkToken(token);
    const inspected = await inspectLink(deps.redeem, tokenHash);
    // `redeeming`: a redemption by the asker stopped part-way; the same person may finish it.
    if (
      (inspected.state !== 'active' && inspected.state !== 'redeeming') ||
      !('profile' in inspected) ||
      !inspected.profile ||
      !inspected.organisation
    ) {
      ctx.status = inspected.state === 'unknown' ? 404 : 410;
      ctx.body = deps.views.render('association/link-unusable', {
        title: 'This link can no longer be used',
        state: inspected.state,
      });
      return;
    }
    const { requester } = inspected.link;
    const upstream = requester && deps.upstreams.get(requester.upstreamId);
    ctx.body = deps.views.render('association/landing', {
      title: `Associate your sign-in with ${inspected.organisation.name}`,
      profile: inspected.profile,
      organisation: inspected.organisation,
      // An invitation was not asked for from any account: the person picks the one to sign in with.
      upstreamName: requester ? (upstream?.config.name ?? requester.upstreamId) : undefined,
      upstreams: requester ? [] : deps.upstreams.enabled().map((u) => ({ id: u.id, name: u.name })),
      csrf: deps.csrf.tokenFor(`link:${tokenHash}`),
    });
  });

  router.get('/:token', (ctx) => {
    // Store, then redirect: the token is out of the address bar (and of any Referer) before a page renders.
    const token = ctx.params.token!;
    if (LINK_TOKEN_PATTERN.test(token)) {
      ctx.cookies.set(LINK_COOKIE, token, {
        signed: true,
        httpOnly: true,
        sameSite: 'lax',
        path: '/associate',
        maxAge: deps.config.association.linkTtlSeconds * 1000,
      });
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.status = 303;
    ctx.redirect('/associate');
  });

  router.post('/continue', form, async (ctx) => {
    const token = tokenFrom(ctx);
    if (!token) throw new BadRequestError('link_missing', 'no link cookie');
    const tokenHash = hashLinkToken(token);
    const body = parseInput(
      z.object({ csrf: z.string().max(200), upstream: z.string().max(64).optional() }),
      ctx.request.body,
    );
    deps.csrf.verify(ctx, `link:${tokenHash}`, body.csrf);
    const inspected = await inspectLink(deps.redeem, tokenHash);
    if ((inspected.state !== 'active' && inspected.state !== 'redeeming') || !inspected.link)
      throw new FlowExpiredError('link_unusable', 'the link is no longer active');
    // A requested link goes back to the upstream that asked; an invitation to the one the person picked.
    const upstream = deps.upstreams.get(inspected.link.requester?.upstreamId ?? body.upstream ?? '');
    if (!upstream) throw new FlowExpiredError('upstream_disabled', 'the upstream of this link is disabled');

    const { url, transaction } = await beginUpstreamSignIn(upstream, {
      redirectUri: callbackUri(deps.config, upstream.config.id),
      remember: false,
      forceLogin: true,
      // A fresh authentication is the point of this step: auth_time must fall within the round trip.
      maxAge: 0,
      now: deps.clock.now(),
      lifetimeSeconds: UPSTREAM_ROUND_TRIP_SECONDS,
    });
    await deps.linkTransactions.put(
      sha256(transaction.state),
      { transaction, extra: { tokenHash } },
      UPSTREAM_ROUND_TRIP_SECONDS,
    );
    rememberUpstreamRoundTrip(ctx, transaction.state, LINK_CALLBACK_MARKER);
    ctx.status = 303;
    ctx.redirect(url.href);
  });

  return router;
}

/** The upstream came back from a link's re-authentication: redeem the link if, and only if, the identity matches. */
export async function completeLinkCallback(ctx: Context, deps: LinkRouteDeps, state: string, upstreamId: string) {
  const pending = await deps.linkTransactions.take(sha256(state));
  forgetUpstreamRoundTrip(ctx, state);
  if (!pending || pending.transaction.upstreamId !== upstreamId) {
    throw new BadRequestError('link_state_mismatch', 'link callback state unknown or spent');
  }
  const upstream = deps.upstreams.get(upstreamId);
  if (!upstream) throw new FlowExpiredError();
  let identity;
  try {
    identity = await completeUpstreamSignIn(upstream, pending.transaction, {
      redirectUri: callbackUri(deps.config, upstreamId),
      query: new URLSearchParams(ctx.querystring),
      now: deps.clock.now(),
    });
  } catch (err) {
    if (err instanceof UpstreamError && err.oauthError) {
      ctx.body = deps.views.render('association/cancelled', {
        title: 'Nothing was changed',
        upstreamName: upstream.config.name,
      });
      return;
    }
    throw err;
  }

  const result = await redeemAssociationLink(deps.redeem, pending.extra.tokenHash, identity, { ip: ctx.ip });
  ctx.set('Cache-Control', 'no-store');
  if (result.outcome === 'wrong_identity') {
    ctx.status = 403;
    ctx.body = deps.views.render('association/wrong-account', {
      title: 'Sign in with the account you used before',
      upstreamName: upstream.config.name,
    });
    return;
  }
  if (result.outcome === 'unusable') {
    ctx.status = 410;
    ctx.body = deps.views.render('association/link-unusable', {
      title: 'This link can no longer be used',
      state: result.state,
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
}

import * as client from 'openid-client';
import type { Context, Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { upstreamSignInOf } from '../oidc/interaction-state.ts';
import type { Upstream } from '../federation/upstreams.ts';
import { errorFields } from '../shared/logger.ts';
import { rememberSignOut } from './fresh-login.ts';
import { isProviderMachineEndpoint } from './provider-endpoints.ts';
import { STILL_SIGNED_IN_PATH } from './routes/sign-out.ts';
import { signedOutUri } from '../federation/upstream-sign-out.ts';
import type { PageDeps } from './use-cases.ts';

interface EndedSession {
  sessionId: string;
  profileId: string;
  clients: string[];
  clientId?: string;
  clientName?: string;
}

const installed = new WeakSet<Provider>();

/**
 * What oidc-provider's sign-ins and sign-outs mean to the rest of the broker, hooked into the provider once:
 * - a sign-in at a portal keeps the session's details (its upstream, browser, last use) and is audited;
 * - "Yes, sign me out" forgets the session, is audited, makes the next sign-in from this browser ask the upstream
 *   for a password, and, where the upstream offers RP-initiated logout, goes on to end the upstream session before
 *   the person returns to the portal. The portals of the session hear of it through back-channel logout, which
 *   oidc-provider starts and the broker's queue delivers (sessions/backchannel-delivery.ts).
 */
export function trackSessions(deps: PageDeps): void {
  const { provider } = deps;
  if (installed.has(provider)) return;
  installed.add(provider);
  const signedIn = new WeakSet<object>();
  const signedOut = new WeakMap<object, EndedSession>();

  provider.on('authorization.success', (ctx: KoaContextWithOIDC) => signedIn.add(ctx));
  provider.on('end_session.success', (ctx: KoaContextWithOIDC) => {
    const { session, params } = ctx.oidc;
    // "No, stay signed in" ends only the asking portal's part; the session lives on.
    if (!params?.logout || !session?.accountId) return;
    const oidcClient = ctx.oidc.client;
    signedOut.set(ctx, {
      sessionId: session.uid,
      profileId: session.accountId,
      clients: Object.keys(session.authorizations ?? {}),
      ...(oidcClient
        ? { clientId: oidcClient.clientId, clientName: oidcClient.clientName ?? oidcClient.clientId }
        : {}),
    });
  });

  // The machine endpoints (token, introspection, …) never sign anyone in or out: they go on without waiting here.
  const afterProvider: Middleware = async (ctx, next) => {
    if (isProviderMachineEndpoint(ctx.path)) return next();
    await next();
    if (signedIn.has(ctx)) await afterSignIn(deps, ctx as KoaContextWithOIDC);
    const ended = signedOut.get(ctx);
    if (ended) await afterSignOut(deps, ctx, ended);
  };
  provider.use(afterProvider);
}

async function afterSignIn(deps: PageDeps, ctx: KoaContextWithOIDC) {
  const { session, client: oidcClient, result } = ctx.oidc;
  if (!session?.accountId || !oidcClient) return;
  const fresh = result?.login ? upstreamSignInOf(result) : undefined;
  try {
    await deps.useCases.sessions.signedIn({
      sessionId: session.uid,
      profileId: session.accountId,
      clientId: oidcClient.clientId,
      ...(fresh
        ? {
            fresh: {
              upstreamId: fresh.id,
              subject: fresh.subject,
              ...(fresh.idToken ? { idToken: fresh.idToken } : {}),
            },
          }
        : {}),
      userAgent: ctx.get('user-agent'),
      ip: ctx.ip,
    });
  } catch (err) {
    // The portal has its code; a store that failed here costs the session's details (and with them the upstream
    // sign-out, which the next sign-in's prompt=login still covers), not the person's sign-in.
    deps.logger.warn('session.details_not_recorded', { client: oidcClient.clientId, ...errorFields(err) });
  }
}

async function afterSignOut(deps: PageDeps, ctx: Context, ended: EndedSession) {
  const returnTo = ctx.response.get('Location');
  try {
    // oidc-provider ends the session the same way when the person picks another profile (a principal change) and
    // then resumes the sign-in: the person did not sign out, and stays signed in upstream. Both must hold: the
    // profile step marked the switch, and the sign-out returns to oidc-provider's resume.
    if (
      returnTo.startsWith(`${deps.config.issuer}/auth/`) &&
      (await deps.useCases.sessions.takeProfileSwitch(ended.sessionId))
    ) {
      await deps.useCases.sessions.signedOut({ ...ended, reason: 'profile_switched', ip: ctx.ip });
      return;
    }
    rememberSignOut(ctx);
    await goUpstream(deps, ctx, ended, returnTo);
  } catch (err) {
    // The session is gone already (oidc-provider ended it): the person carries on to where it was sending them, and
    // the next sign-in from this browser still asks the upstream for a password.
    rememberSignOut(ctx);
    deps.logger.error('session.sign_out_not_recorded', { session: ended.sessionId, ...errorFields(err) });
    ctx.status = 303;
    ctx.redirect(returnTo || '/session/end/success');
  }
}

async function goUpstream(deps: PageDeps, ctx: Context, ended: EndedSession, returnTo: string) {
  const details = await deps.useCases.sessions.signedOut({ ...ended, reason: 'signed_out', ip: ctx.ip });
  const upstream = details?.upstreamId ? deps.upstreams.get(details.upstreamId) : undefined;
  if (!upstream || !returnTo) return;
  const handle = await deps.useCases.sessions.beginUpstreamSignOut({
    returnTo,
    upstreamId: upstream.config.id,
    ...(ended.clientName ? { clientName: ended.clientName } : {}),
  });
  const endSession = await endSessionOf(deps, upstream);
  ctx.status = 303;
  if (endSession && details?.upstreamIdToken) {
    ctx.redirect(
      client.buildEndSessionUrl(endSession, {
        id_token_hint: details.upstreamIdToken,
        post_logout_redirect_uri: signedOutUri(deps.config.issuer),
        state: handle,
      }).href,
    );
  } else {
    ctx.redirect(`${STILL_SIGNED_IN_PATH}?state=${encodeURIComponent(handle)}`);
  }
}

/** The upstream's configuration when it offers RP-initiated logout; an upstream that cannot be reached does not. */
async function endSessionOf(deps: PageDeps, upstream: Upstream): Promise<client.Configuration | undefined> {
  try {
    const configuration = await upstream.configuration();
    return configuration.serverMetadata().end_session_endpoint ? configuration : undefined;
  } catch (err) {
    deps.logger.warn('upstream.sign_out_unavailable', { upstream: upstream.config.id, ...errorFields(err) });
    return undefined;
  }
}

import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import type Koa from 'koa';
import * as client from 'openid-client';
import { randomToken } from '../shared/ids.ts';
import type { Views } from '../http/views.ts';
import type { SessionStore } from '../shared/session-store.ts';

export interface DemoPortalOptions {
  id: string;
  title: string;
  /** Where the portal is mounted, e.g. /demo/customer-portal. */
  basePath: string;
  /** The broker's issuer, e.g. http://localhost:3000. */
  brokerIssuer: string;
  clientId: string;
  clientSecret: string;
  /** A resource server to fetch a JWT access token for, to show what an API would receive. */
  apiResource: string;
  views: Views;
  sessions: SessionStore<PortalSession>;
}

export interface PortalSession {
  pending?: { state: string; nonce: string; codeVerifier: string };
  signedIn?: {
    idToken: string;
    idTokenClaims: Record<string, unknown>;
    userinfo: Record<string, unknown>;
    apiTokenClaims?: Record<string, unknown>;
  };
  error?: { error: string; description?: string };
  /** The broker ended this portal session by back-channel logout (shown once the person looks again). */
  endedByBroker?: { at: string };
  /** An index record rather than a browser's session: the portal session a broker `sid` belongs to. */
  sessionOf?: string;
}

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** What the portal tells a person when the broker sends them back without a sign-in: a sentence, not a code. */
const ERROR_SENTENCES: Record<string, string> = {
  access_denied: 'You cancelled the sign-in, so you are not signed in. Sign in again whenever you are ready.',
  login_required: 'You are not signed in at the broker any more. Sign in again.',
  temporarily_unavailable: 'The sign-in service is busy or being updated. Try again in a few minutes.',
  no_pending_sign_in: 'This sign-in was not started from this browser, or it was already used. Sign in again.',
};
const DEFAULT_SENTENCE = 'The sign-in did not complete. Sign in again; if it keeps failing, contact support.';

const SCOPE = 'openid email profile org_profile';

/**
 * A demo relying party, written as a real portal would be: openid-client against the broker's discovery document,
 * authorization code with PKCE, state and nonce, userinfo, and RP-initiated logout. It keeps its own sessions.
 */
export function createDemoPortal(options: DemoPortalOptions): Router {
  const router = new Router({ prefix: options.basePath });
  const sessions = options.sessions;
  const SESSION_SECONDS = 8 * 3600;
  const cookieName = `demo_${options.id.replace(/[^a-z0-9]/g, '_')}`;
  const redirectUri = `${options.brokerIssuer}${options.basePath}/callback`;
  const home = `${options.brokerIssuer}${options.basePath}/`;

  let discovered: Promise<client.Configuration> | undefined;
  const configuration = () => {
    discovered ??= client
      .discovery(
        new URL(options.brokerIssuer),
        options.clientId,
        options.clientSecret,
        client.ClientSecretBasic(options.clientSecret),
        options.brokerIssuer.startsWith('http://')
          ? { execute: [client.allowInsecureRequests], timeout: 5 }
          : { timeout: 5 },
      )
      .catch((err: unknown) => {
        discovered = undefined;
        throw err;
      });
    return discovered;
  };

  /** This browser's session, and how to keep changes to it (sessions live in a store shared by demo nodes). */
  const session = async (ctx: Koa.Context) => {
    let id = ctx.cookies.get(cookieName, { signed: true });
    let s = id ? await sessions.get(id) : undefined;
    if (!id || !s) {
      id = randomToken(16);
      s = {};
      ctx.cookies.set(cookieName, id, { httpOnly: true, sameSite: 'lax', path: options.basePath, signed: true });
    }
    const sessionId = id;
    return { id: sessionId, s, save: () => sessions.set(sessionId, s, SESSION_SECONDS) };
  };

  let keys: ReturnType<typeof createRemoteJWKSet> | undefined;
  /**
   * A logout token checked as OIDC Back-Channel Logout 1.0 §2.6 says a portal must: the broker's signature and
   * issuer, this portal as audience, the back-channel event, no nonce. Returns its sid, or undefined if it is not one.
   */
  const verifiedLogoutSid = async (token: string) => {
    const config = await configuration();
    keys ??= createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: config.serverMetadata().issuer,
        audience: options.clientId,
        maxTokenAge: '10 minutes',
      });
      const events = payload.events as Record<string, unknown> | undefined;
      if (!events || typeof events[BACKCHANNEL_EVENT] !== 'object' || 'nonce' in payload) return undefined;
      return typeof payload.sid === 'string' ? payload.sid : undefined;
    } catch {
      return undefined;
    }
  };

  const startSignIn = async (ctx: Koa.Context, prompt?: string) => {
    const config = await configuration();
    const { s, save } = await session(ctx);
    s.pending = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
    };
    await save();
    const parameters: Record<string, string> = {
      redirect_uri: redirectUri,
      scope: SCOPE,
      state: s.pending.state,
      nonce: s.pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(s.pending.codeVerifier),
      code_challenge_method: 'S256',
      resource: options.apiResource,
    };
    if (prompt) parameters.prompt = prompt;
    // "Sign in in German": the portal asks the broker for its pages in that language (ui_locales).
    const language = typeof ctx.query.ui_locales === 'string' ? ctx.query.ui_locales : '';
    if (/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(language)) parameters.ui_locales = language;
    ctx.redirect(client.buildAuthorizationUrl(config, parameters).href);
  };

  router.get('/', async (ctx) => {
    const { s, save } = await session(ctx);
    ctx.set('Cache-Control', 'no-store');
    // Where to send the person to manage their account: the broker names it in its discovery document.
    const accountConsole = s.signedIn
      ? ((await configuration()).serverMetadata().account_console_uri as string | undefined)
      : undefined;
    ctx.body = options.views.render(
      'demo/portal',
      {
        title: options.title,
        portal: options,
        signedIn: s.signedIn,
        error: s.error && { ...s.error, sentence: ERROR_SENTENCES[s.error.error] ?? DEFAULT_SENTENCE },
        accountConsole,
        endedByBroker: s.endedByBroker,
      },
      { layout: 'demo' },
    );
    delete s.error;
    await save();
  });

  router.get('/login', (ctx) => startSignIn(ctx));
  // The portal's own logo and the pages the broker links from its sign-in pages (client metadata).
  router.get('/logo.svg', (ctx) => {
    ctx.type = 'image/svg+xml';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" fill="#fff"/><text x="16" y="22" font-family="sans-serif" font-size="16" font-weight="700" text-anchor="middle" fill="#12263f">${options.title.charAt(0)}</text></svg>`;
  });
  for (const [path, title] of [
    ['/privacy', 'privacy policy'],
    ['/terms', 'terms of use'],
  ] as const) {
    router.get(path, (ctx) => {
      ctx.body = options.views.render(
        'demo/portal-document',
        { title: `${options.title} ${title}`, portal: options, document: title },
        { layout: 'demo' },
      );
    });
  }
  // "Switch profile": the broker shows its picker again without another upstream sign-in.
  router.get('/switch', (ctx) => startSignIn(ctx, 'select_account'));

  router.get('/callback', async (ctx) => {
    const { id: sessionId, s, save } = await session(ctx);
    const pending = s.pending;
    delete s.pending;
    await save();
    const current = new URL(`${redirectUri}?${ctx.querystring}`);
    if (!pending) {
      s.error = { error: 'no_pending_sign_in', description: 'This portal did not start a sign-in in this browser.' };
      await save();
      ctx.redirect(home);
      return;
    }
    try {
      const config = await configuration();
      const tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idTokenClaims = tokens.claims()!;
      const userinfo = await client.fetchUserInfo(config, tokens.access_token, idTokenClaims.sub);
      let apiTokenClaims: Record<string, unknown> | undefined;
      if (tokens.refresh_token) {
        // What an API behind this portal would receive: a JWT access token for its resource indicator.
        const api = await client.refreshTokenGrant(config, tokens.refresh_token, { resource: options.apiResource });
        apiTokenClaims = decodeJwt(api.access_token);
      }
      // The broker names its session in the ID token (sid): a logout token for it ends this portal session.
      if (typeof idTokenClaims.sid === 'string')
        await sessions.set(`sid:${idTokenClaims.sid}`, { sessionOf: sessionId }, SESSION_SECONDS);
      delete s.endedByBroker;
      s.signedIn = {
        idToken: tokens.id_token!,
        idTokenClaims: { ...idTokenClaims },
        userinfo: { ...userinfo },
        apiTokenClaims,
      };
    } catch (err) {
      const e = err as { error?: string; error_description?: string; message: string };
      s.error = { error: e.error ?? 'sign_in_failed', description: e.error_description ?? e.message };
    }
    await save();
    ctx.redirect(home);
  });

  // OIDC Back-Channel Logout: the broker posts here when the person signed out, was signed out everywhere, or lost
  // the profile; the portal session of that broker session ends, whichever browser holds it.
  router.post('/backchannel-logout', bodyParser({ enableTypes: ['form'], formLimit: '16kb' }), async (ctx) => {
    const token = (ctx.request.body as Record<string, unknown> | undefined)?.logout_token;
    const sid = typeof token === 'string' ? await verifiedLogoutSid(token) : undefined;
    ctx.set('Cache-Control', 'no-store');
    if (!sid) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'not a valid logout token for this portal' };
      return;
    }
    const index = await sessions.get(`sid:${sid}`);
    const ended = index?.sessionOf ? await sessions.get(index.sessionOf) : undefined;
    if (index?.sessionOf && ended?.signedIn) {
      delete ended.signedIn;
      ended.endedByBroker = { at: new Date().toISOString() };
      await sessions.set(index.sessionOf, ended, SESSION_SECONDS);
    }
    await sessions.delete(`sid:${sid}`);
    ctx.status = 200;
  });

  router.get('/logout', async (ctx) => {
    const { s, save } = await session(ctx);
    const idToken = s.signedIn?.idToken;
    delete s.signedIn;
    await save();
    if (!idToken) {
      ctx.redirect(home);
      return;
    }
    const config = await configuration();
    ctx.redirect(client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: home }).href);
  });

  return router;
}

import { parseInput } from '../../shared/parse-input.ts';
import Router from '@koa/router';
import type { Context } from 'koa';
import * as client from 'openid-client';
import { z } from 'zod';
import { ACCOUNT_SCOPE, type AccountHolder } from '../../account/account-holder.ts';
import type { AccountOperations } from '../../account/account-operations.ts';
import type { AccountProfile } from '../../account/account-overview.ts';
import { ACCOUNT_CONSOLE_CLIENT_ID } from '../../clients/account-console-client.ts';
import { ASSOCIATE_ANOTHER, ASSOCIATE_PARAMETER } from '../../oidc/associate-parameter.ts';
import type { SessionStore } from '../../shared/session-store.ts';
import { AppError } from '../../shared/errors.ts';
import { randomToken } from '../../shared/ids.ts';
import type { accountTokenHolder } from '../account-auth.ts';
import type { Csrf } from '../csrf.ts';
import { messageFor } from '../error-handler.ts';
import { bodyStep, formStep } from '../steps/interaction-steps.ts';
import { route } from '../steps/route.ts';
import type { MessageValues } from '../../i18n/catalogue.ts';
import type { Views } from '../views.ts';

export interface ConsoleSession {
  pending?: { state: string; nonce: string; codeVerifier: string };
  signedIn?: { accessToken: string; idToken: string };
}

/** What the console's page modules build on: the signed-in holder, rendering, and the session's form token. */
export interface ConsoleKit {
  /** The holder the session's token stands for; undefined (and the session forgotten) when it can no longer act. */
  signedIn(ctx: Context): Promise<{ current: CurrentSession; holder: AccountHolder | undefined }>;
  /** Renders views/account/<name>.hbs in the request's language, never cached. */
  page(ctx: Context, name: string, data: Record<string, unknown>): void;
  /** A sentence in the request's language, as plain text (a page title). */
  t(ctx: Context, key: string, values?: MessageValues): string;
  /** The token the session's forms carry, and its check (403 for a missing, wrong or other session's token). */
  csrfToken(current: CurrentSession): string;
  verifyCsrf(ctx: Context, current: CurrentSession, submitted: string): void;
  /** Form tokens bound to something other than a console session: an emailed link, opened in any browser. */
  csrf: Csrf;
  /** The sentence a person reads for a refusal, as the error pages word it, for a form shown again with it. */
  refusal(ctx: Context, error: AppError): string;
  /** The language of this request's pages, and so of the emails it causes (unless a profile has its own). */
  language(ctx: Context): string;
  account: AccountOperations;
  /** The page language, the catalogue's languages and sentences (a page offering a choice of language). */
  views: Views;
}

export interface CurrentSession {
  id: string;
  s: ConsoleSession;
  save(): Promise<void>;
}

/** A group of console pages (a feature's routes), registered on the console's router with the kit. */
export type ConsolePages = (router: Router, kit: ConsoleKit) => void;

export interface AccountConsoleDeps {
  issuer: string;
  clientSecret: string;
  account: AccountOperations;
  holderFor: ReturnType<typeof accountTokenHolder>;
  sessions: SessionStore<ConsoleSession>;
  views: Views;
  csrf: Csrf;
}

const COOKIE = 'account_console';
const SESSION_SECONDS = 8 * 3600;
/** A session nobody has signed in to yet holds only a sign-in under way: kept as long as the broker keeps one. */
const PENDING_SECONDS = 10 * 60;
const COOKIE_OPTIONS = { httpOnly: true, sameSite: 'lax', path: '/account', signed: true } as const;
const profileParams = z.object({ profileId: z.string().min(1).max(200) });

/**
 * The account console at /account: "My account" pages for anyone who signs in through the broker. It is a client of
 * the broker like any portal (authorization code with PKCE, the same upstream sign-in and profile picker), keeps the
 * access token in a server-side session, and calls the same use cases as the account API with the holder that token
 * stands for: a session whose profile was disabled, unlinked or removed since is asked to sign in again.
 */
export function accountConsoleRoutes(deps: AccountConsoleDeps, features: readonly ConsolePages[] = []): Router {
  const router = new Router({ prefix: '/account' });
  const redirectUri = `${deps.issuer}/account/callback`;

  let discovered: Promise<client.Configuration> | undefined;
  const configuration = () => {
    discovered ??= client
      .discovery(
        new URL(deps.issuer),
        ACCOUNT_CONSOLE_CLIENT_ID,
        deps.clientSecret,
        client.ClientSecretBasic(deps.clientSecret),
        deps.issuer.startsWith('http://') ? { execute: [client.allowInsecureRequests], timeout: 5 } : { timeout: 5 },
      )
      .catch((err: unknown) => {
        discovered = undefined;
        throw err;
      });
    return discovered;
  };

  /** This browser's console session (created empty when there is none), and how to keep changes to it. */
  const session = async (ctx: Context): Promise<CurrentSession> => {
    let id = ctx.cookies.get(COOKIE, { signed: true });
    let s = id ? await deps.sessions.get(id) : undefined;
    if (!id || !s) {
      id = randomToken(16);
      s = {};
      ctx.cookies.set(COOKIE, id, COOKIE_OPTIONS);
    }
    const sessionId = id;
    return {
      id: sessionId,
      s,
      // Anonymous browsers cannot fill the store with 8-hour sessions by asking to sign in over and over.
      save: () => deps.sessions.set(sessionId, s, s.signedIn ? SESSION_SECONDS : PENDING_SECONDS),
    };
  };

  /** The holder the session's token stands for; undefined (and the session forgotten) when it can no longer act. */
  const signedIn = async (ctx: Context): Promise<{ current: CurrentSession; holder: AccountHolder | undefined }> => {
    const current = await session(ctx);
    if (!current.s.signedIn) return { current, holder: undefined };
    try {
      const { holder } = await deps.holderFor(ctx, current.s.signedIn.accessToken);
      return { current, holder };
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      ctx.remove('WWW-Authenticate');
      delete current.s.signedIn;
      await current.save();
      return { current, holder: undefined };
    }
  };

  const page = (ctx: Context, name: string, data: Record<string, unknown>) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = deps.views.page(ctx, `account/${name}`, data);
  };

  router.get('/sign-in', async (ctx) => {
    const current = await session(ctx);
    const codeVerifier = client.randomPKCECodeVerifier();
    const pending = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier };
    current.s.pending = pending;
    await current.save();
    const url = client.buildAuthorizationUrl(await configuration(), {
      redirect_uri: redirectUri,
      scope: `openid ${ACCOUNT_SCOPE}`,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      // "Switch profile": the broker shows its picker again instead of carrying on with the session's profile.
      ...(ctx.query.switch === '1' ? { prompt: 'select_account' } : {}),
      // "Associate another profile": the broker's first-login email step, for the account its session knows.
      ...(ctx.query.associate === '1' ? { prompt: 'select_account', [ASSOCIATE_PARAMETER]: ASSOCIATE_ANOTHER } : {}),
    });
    ctx.redirect(url.href);
  });

  router.get('/callback', async (ctx) => {
    const current = await session(ctx);
    const pending = current.s.pending;
    if (!pending) return ctx.redirect('/account/sign-in');
    delete current.s.pending;
    try {
      const tokens = await client.authorizationCodeGrant(await configuration(), new URL(ctx.originalUrl, deps.issuer), {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
      });
      // A new session id for the signed-in session: an id planted in this browser before sign-in (a session
      // fixation) is left holding nothing, and so is the form token derived from it.
      const fresh = randomToken(16);
      await deps.sessions.set(
        fresh,
        { signedIn: { accessToken: tokens.access_token, idToken: tokens.id_token! } },
        SESSION_SECONDS,
      );
      ctx.cookies.set(COOKIE, fresh, COOKIE_OPTIONS);
      delete current.s.signedIn;
    } catch (err) {
      await current.save();
      // Still signed in (they were switching profile or associating another, and changed their mind): back to where
      // they were.
      if (err instanceof client.AuthorizationResponseError && err.error === 'access_denied' && current.s.signedIn)
        return ctx.redirect('/account');
      // The person cancelled at the broker, or the answer does not belong to this browser's sign-in. The page words
      // a cancellation in its own language and names any other error by its code (the provider's description is
      // English only).
      const reason = err instanceof client.AuthorizationResponseError ? err.error : undefined;
      ctx.status = 400;
      return page(ctx, 'sign-in-failed', { title: deps.views.t(ctx, 'account.signInFailed.title'), reason });
    }
    await current.save();
    ctx.redirect('/account');
  });

  router.get('/', async (ctx) => {
    const { current, holder } = await signedIn(ctx);
    if (!holder) return ctx.redirect('/account/sign-in');
    const overview = await deps.account.overview(holder);
    page(ctx, 'overview', {
      title: deps.views.t(ctx, 'account.overview.title'),
      account: overview.account,
      profiles: overview.profiles.map(profileView),
      // "Our organisation" is for the profile signed in as, when it administers its organisation.
      currentIsAdministrator: holder.profile.role === 'administrator',
      csrf: deps.csrf.tokenFor(`account:${current.id}`),
    });
  });

  /** The profile of the holder's account the URL names, or the same 404 as for one that is not theirs. */
  const ownProfile = async (ctx: Context, profileId: string) => {
    const { current, holder } = await signedIn(ctx);
    if (!holder) return { current, holder: undefined, profile: undefined };
    const overview = await deps.account.overview(holder);
    const profile = overview.profiles.find((p) => p.profile.id === profileId);
    if (!profile)
      throw new AppError(404, 'profile_not_in_account', `profile ${profileId} is not associated with this account`);
    return { current, holder, profile, account: overview.account };
  };

  router.get('/profiles/:profileId/remove', async (ctx) => {
    const { current, holder, profile, account } = await ownProfile(
      ctx,
      parseInput(profileParams, ctx.params, 'path').profileId,
    );
    if (!holder || !profile) return ctx.redirect('/account/sign-in');
    page(ctx, 'remove', {
      title: deps.views.t(ctx, 'account.remove.title'),
      profile: profileView(profile),
      account,
      csrf: deps.csrf.tokenFor(`account:${current.id}`),
    });
  });

  router.post(
    '/profiles/:profileId/remove',
    ...route([bodyStep('4kb'), formStep(z.object({ csrf: z.string().max(100) }))], async (ctx) => {
      const { profileId } = parseInput(profileParams, ctx.params, 'path');
      const { current, holder } = await signedIn(ctx);
      if (!holder) return ctx.redirect('/account/sign-in');
      deps.csrf.verify(ctx, `account:${current.id}`, ctx.state.form.csrf);
      const { reference, signedOut } = await deps.account.removeProfile(
        holder,
        profileId,
        ctx.ip,
        deps.views.language(ctx),
      );
      if (signedOut) {
        delete current.s.signedIn;
        await current.save();
      }
      page(ctx, 'removed', { title: deps.views.t(ctx, 'account.removed.title'), reference, signedOut });
    }),
  );

  router.post(
    '/sign-out',
    ...route([bodyStep('4kb'), formStep(z.object({ csrf: z.string().max(100) }))], async (ctx) => {
      const current = await session(ctx);
      deps.csrf.verify(ctx, `account:${current.id}`, ctx.state.form.csrf);
      const idToken = current.s.signedIn?.idToken;
      delete current.s.signedIn;
      await current.save();
      if (!idToken) return ctx.redirect('/account/signed-out');
      // Ends the broker's own session too, as a portal's sign-out does (RP-initiated logout).
      const url = client.buildEndSessionUrl(await configuration(), {
        id_token_hint: idToken,
        post_logout_redirect_uri: `${deps.issuer}/account/signed-out`,
      });
      ctx.redirect(url.href);
    }),
  );

  router.get('/signed-out', (ctx) => page(ctx, 'signed-out', { title: deps.views.t(ctx, 'account.signedOut.title') }));

  const kit: ConsoleKit = {
    signedIn,
    page,
    t: (ctx, key, values) => deps.views.t(ctx, key, values),
    csrfToken: (current) => deps.csrf.tokenFor(`account:${current.id}`),
    verifyCsrf: (ctx, current, submitted) => deps.csrf.verify(ctx, `account:${current.id}`, submitted),
    csrf: deps.csrf,
    refusal: (ctx, error) => messageFor(deps.views, error, false, deps.views.language(ctx)),
    language: (ctx) => deps.views.language(ctx),
    account: deps.account,
    views: deps.views,
  };
  for (const feature of features) feature(router, kit);
  return router;
}

/** A profile as the console's pages show it. */
function profileView(p: AccountProfile) {
  return {
    id: p.profile.id,
    name: p.profile.displayName,
    email: p.profile.email,
    role: p.profile.role,
    administrator: p.profile.role === 'administrator',
    disabled: p.profile.status !== 'active' || p.organisation.status !== 'active',
    organisation: p.organisation.name,
    accountNumber: p.organisation.accountNumber,
    kind: p.organisation.kind,
    contractEndsOn: p.organisation.contractEndsOn ? new Date(p.organisation.contractEndsOn) : undefined,
    contractActive: p.contractActive,
    // Associations loaded with the directory carry no date of their own (the epoch: valid for any sign-in).
    associatedOn: p.associatedAt.getTime() === 0 ? undefined : p.associatedAt,
    admittedBy: p.admittedBy.map((a) => a.name),
    current: p.current,
    locale: p.profile.locale,
  };
}

import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import mount from 'koa-mount';
import type { JWK } from 'jose';
import Provider, { type AdapterFactory, type Configuration } from 'oidc-provider';
import { z } from 'zod';
import type { Views } from '../http/views.ts';
import type { CookieSigner } from '../shared/cookie-signer.ts';

export interface DemoAccount {
  username: string;
  subject: string;
  name: string;
  email: string;
  story: string;
}

export interface DevUpstreamOptions {
  /** Full issuer URL, e.g. http://localhost:3000/dev-upstream. */
  issuer: string;
  /** Where it is mounted in the broker's app, e.g. /dev-upstream. */
  mountPath: string;
  client: { clientId: string; clientSecret: string; redirectUris: string[]; postLogoutRedirectUris: string[] };
  /** Offer RP-initiated logout (an end-session endpoint), as Microsoft accounts do; off, it acts like an upstream without. */
  endSession: boolean;
  accounts: DemoAccount[];
  password: string;
  views: Views;
  /** Signs the upstream's cookies (the broker's signer: the demo shares its origin). */
  cookieSigner: CookieSigner;
  /** Its own signing key and storage, never the broker's: it stands for a separate service. */
  jwks: { keys: JWK[] };
  adapter: AdapterFactory;
}

/**
 * A development-only consumer identity service: a second oidc-provider with demo accounts and a plain
 * username/password form. It plays the part of Microsoft accounts in the demo and in tests, speaking the same
 * protocol the broker speaks to a real upstream (discovery, PKCE, nonce, RFC 9207 `iss`).
 */
export function createDevUpstream(options: DevUpstreamOptions): Koa {
  const byUsername = new Map(options.accounts.map((a) => [a.username, a]));
  const bySubject = new Map(options.accounts.map((a) => [a.subject, a]));

  const configuration: Configuration = {
    adapter: options.adapter,
    jwks: options.jwks as Configuration['jwks'],
    clients: [
      {
        client_id: options.client.clientId,
        client_secret: options.client.clientSecret,
        redirect_uris: options.client.redirectUris,
        post_logout_redirect_uris: options.client.postLogoutRedirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        // The demo's upstream key is an EC key derived from the cookie key (demo-secrets.ts).
        id_token_signed_response_alg: 'ES256',
      },
    ],
    async findAccount(_ctx, sub) {
      const account = bySubject.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, name: account.name, email: account.email, email_verified: true }),
      };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    cookies: {
      keys: options.cookieSigner,
      // Same origin as the broker in the demo: distinct names keep the two sessions apart.
      names: { session: 'devup_session', interaction: 'devup_interaction', resume: 'devup_resume' },
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: options.endSession
        ? {
            enabled: true,
            async logoutSource(ctx, form) {
              ctx.type = 'html';
              ctx.body = options.views.render(
                'demo/upstream-logout',
                { title: 'Sign out — demo consumer accounts', form },
                { layout: 'demo' },
              );
            },
            async postLogoutSuccessSource(ctx) {
              ctx.type = 'html';
              ctx.body = options.views.render(
                'demo/upstream-logout',
                { title: 'Signed out — demo consumer accounts', done: true },
                { layout: 'demo' },
              );
            },
          }
        : { enabled: false },
    },
    interactions: { url: (_ctx, interaction) => `${options.mountPath}/interaction/${interaction.uid}` },
    async loadExistingGrant(ctx) {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId });
      grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
      await grant.save();
      return grant;
    },
    ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 300, IdToken: 300, AuthorizationCode: 60 },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = options.views.render('demo/upstream-error', { title: 'Demo upstream error', ...out });
    },
  };
  const provider = new Provider(options.issuer, configuration);

  const router = new Router({ prefix: '/interaction/:uid' });
  const form = bodyParser({ enableTypes: ['form'], formLimit: '4kb' });
  const loginForm = z.object({ username: z.string().max(100), password: z.string().max(100) });

  const renderLogin = async (ctx: Koa.Context, error?: string) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = options.views.render(
      'demo/upstream-login',
      {
        title: 'Sign in — demo consumer accounts',
        action: `${options.mountPath}/interaction/${details.uid}`,
        accounts: options.accounts,
        password: options.password,
        username: details.params.login_hint,
        forced: String(details.params.prompt ?? '').includes('login'),
        error,
      },
      { layout: 'demo' },
    );
  };

  router.get('/', (ctx) => renderLogin(ctx));
  router.post('/login', form, async (ctx) => {
    const parsed = loginForm.safeParse(ctx.request.body);
    const account = parsed.success ? byUsername.get(parsed.data.username.trim().toLowerCase()) : undefined;
    if (!account || !parsed.success || parsed.data.password !== options.password) {
      ctx.status = 401;
      await renderLogin(ctx, 'Unknown username or wrong password.');
      return;
    }
    const returnTo = await provider.interactionResult(
      ctx.req,
      ctx.res,
      { login: { accountId: account.subject } },
      { mergeWithLastSubmission: false },
    );
    ctx.status = 303;
    ctx.redirect(returnTo);
  });
  router.post('/abort', async (ctx) => {
    const returnTo = await provider.interactionResult(
      ctx.req,
      ctx.res,
      { error: 'access_denied', error_description: 'The person cancelled the sign-in.' },
      { mergeWithLastSubmission: false },
    );
    ctx.status = 303;
    ctx.redirect(returnTo);
  });

  // What a consumer identity service offers people who are stuck; the broker links here (upstream signupUri,
  // passwordResetUri, supportUri), as it would link to Microsoft's own pages.
  const help = new Router();
  help.get('/help/:topic', (ctx) => {
    const topic = HELP_TOPICS[ctx.params.topic as keyof typeof HELP_TOPICS];
    if (!topic) return;
    ctx.body = options.views.render(
      'demo/upstream-help',
      { title: `${topic} — demo consumer accounts`, topic, accounts: options.accounts, password: options.password },
      { layout: 'demo' },
    );
  });

  const app = new Koa();
  app.keys = options.cookieSigner;
  app
    .use(router.routes())
    .use(help.routes())
    .use(mount(provider as unknown as Koa));
  return app;
}

const HELP_TOPICS = {
  signup: 'Create an account',
  password: 'Reset your password',
  support: 'Account support',
} as const;

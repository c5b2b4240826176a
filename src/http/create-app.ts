import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import compose from 'koa-compose';
import mount from 'koa-mount';
import type Provider from 'oidc-provider';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../shared/logger.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { accessLog } from './access-log.ts';
import type { Metrics } from '../shared/metrics.ts';
import { errorHandler } from './error-handler.ts';
import { pageLanguage } from './page-language.ts';
import { brandStylesheetFor } from './portal-look.ts';
import { providerOutageAnswers } from './provider-outage.ts';
import { deferredTokenWrites } from './deferred-token-writes.ts';
import { associationLinkRoutes } from './routes/association-link.ts';
import { associationRequestRoutes } from './routes/association-request.ts';
import { interactionRoutes } from './routes/interaction.ts';
import { upstreamCallbackRoutes } from './routes/upstream-callback.ts';
import { signOutRoutes } from './routes/sign-out.ts';
import { trackSessions } from './session-tracking.ts';
import { adminApiRoutes } from './routes/admin-api.ts';
import { ACCOUNT_API_PREFIX, accountApiRoutes } from './routes/account-api.ts';
import { accountCors } from './account-cors.ts';
import { accountConsoleRoutes, type ConsoleSession } from './routes/account-console.ts';
import { CONSOLE_FEATURES } from './routes/account-console-features.ts';
import { accountTokenHolder } from './account-auth.ts';
import type { AccountOperations } from '../account/account-operations.ts';
import type { SessionStore } from '../shared/session-store.ts';
import type { CookieSigner } from '../shared/cookie-signer.ts';
import type { AdminOperations } from '../admin/admin-operations.ts';
import type { StoredClient } from '../clients/client-store.ts';
import { securityHeaders } from './security-headers.ts';
import { issuerOrigin } from './issuer-origin.ts';
import { providerEndpoints } from './provider-endpoints.ts';
import { unknownMethods } from './unknown-methods.ts';
import { signInLimit } from './sign-in-limit.ts';
import type { RateLimiter } from '../association/rate-limiter.ts';
import { createInteractionSteps } from './steps/interaction-steps.ts';
import { createUpstreamCallbacks } from './upstream-callbacks.ts';
import type { PageDeps } from './use-cases.ts';
import type { Views } from './views.ts';

export interface AppDeps extends PageDeps {
  config: Config;
  provider: Provider;
  views: Views;
  logger: Logger;
  /** The request being handled: its id on every log line and audit event of it (access-log.ts). */
  requests: RequestContext;
  /** Each request timed by route and status (access-log.ts); `noMetrics` without a metrics port. */
  metrics: Metrics;
  /** Signs and checks the broker's cookies; oidc-provider has the same one (docs/architecture.md §6). */
  cookieSigner: CookieSigner;
  viewsDir: string;
  /** Development-only routes (demo upstream, portals, home page); absent in production. */
  demo?: Middleware;
  /** Each dependency's health, for /readyz. */
  readiness(): Promise<Record<string, boolean>>;
  /** True once the process is stopping (shared/graceful-shutdown.ts): /readyz then answers 503 without asking the stores. */
  stopping?(): boolean;
  /** The admin API's use cases. */
  admin: AdminOperations;
  /** A client as registered now: an admin token holds only what its client still may (admin-auth.ts). */
  findClient(clientId: string): Promise<StoredClient | undefined>;
  /** Sign-ins started per client address. */
  signInLimiter: RateLimiter;
  /** Self-service use cases, for the account console and the account API. */
  account: AccountOperations;
  accountConsole: { clientSecret: string; sessions: SessionStore<ConsoleSession> };
  /** The origins of the portals registered for the account API, for CORS. */
  accountApiOrigins(): Promise<ReadonlySet<string>>;
}

/** The broker's HTTP pipeline, top to bottom (docs/architecture.md §1). */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  // Signed cookies of the broker's own routes use the same signer as oidc-provider's (docs/architecture.md §6).
  app.keys = deps.cookieSigner;
  // Forwarded headers are believed only when an operator says a proxy overwrites them (docs/architecture.md §6).
  app.proxy = deps.config.trustProxy;

  const https = deps.config.issuer.startsWith('https://');
  const assets = new Map([
    ['broker.css', { type: 'text/css', body: readFileSync(join(deps.viewsDir, 'assets', 'broker.css')) }],
    [
      'wait-for-association.js',
      { type: 'application/javascript', body: readFileSync(join(deps.viewsDir, 'assets', 'wait-for-association.js')) },
    ],
  ]);

  const pages = new Router();
  // Alive: the process answers (an orchestrator restarts a process that does not). Ready: not stopping, and every
  // dependency answered within a second (load balancers route on this; a store outage or a stop is not a reason to
  // restart, so /healthz stays 200 through both).
  pages.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  pages.get('/readyz', async (ctx) => {
    if (deps.stopping?.()) {
      ctx.status = 503;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { status: 'stopping', checks: {} };
      return;
    }
    const checks = await deps.readiness();
    const ready = Object.values(checks).every(Boolean);
    ctx.status = ready ? 200 : 503;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      status: ready ? 'ready' : 'unavailable',
      checks: Object.fromEntries(Object.entries(checks).map(([k, ok]) => [k, ok ? 'ok' : 'unavailable'])),
    };
  });
  // Browsers ask for it on every first visit; an empty answer keeps 404s out of the logs.
  pages.get('/favicon.ico', (ctx) => {
    ctx.status = 204;
  });
  pages.get('/assets/:name', (ctx) => {
    const asset = assets.get(ctx.params.name!);
    if (!asset) return;
    ctx.type = asset.type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = asset.body;
  });
  // A portal's colour for the header of its sign-in pages (portal-look.ts).
  pages.get('/assets/brand/:file', async (ctx) => {
    const match = /^(.+)\.css$/.exec(ctx.params.file!);
    const client = match ? await deps.findClient(match[1]!) : undefined;
    const colour = client?.metadata.brand_color;
    if (typeof colour !== 'string') return;
    ctx.type = 'text/css';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = brandStylesheetFor(colour);
  });
  if (!deps.demo) {
    pages.get('/', (ctx) => {
      ctx.body = deps.views.page(ctx, 'home', { title: deps.views.t(ctx, 'home.title'), issuer: deps.config.issuer });
    });
  }

  // The interaction pages are built from shared steps (steps/); every upstream round-trip kind is registered with
  // the one callback route by the routes that start it.
  const steps = createInteractionSteps(deps);
  const upstreamCallbacks = createUpstreamCallbacks();
  const interactions = interactionRoutes(deps, steps, upstreamCallbacks);
  const association = associationRequestRoutes(deps, steps);
  const links = associationLinkRoutes(deps, upstreamCallbacks);
  const callbacks = upstreamCallbackRoutes(upstreamCallbacks);
  const signOut = signOutRoutes(deps);
  trackSessions(deps);
  const holderFor = accountTokenHolder(deps.provider, deps.account, deps.findClient);
  const accountApi = accountApiRoutes({ account: deps.account, holderFor });
  const accountConsole = accountConsoleRoutes(
    {
      issuer: deps.config.issuer,
      ...deps.accountConsole,
      account: deps.account,
      holderFor,
      views: deps.views,
      csrf: deps.csrf,
    },
    CONSOLE_FEATURES,
  );
  const admin = adminApiRoutes({
    provider: deps.provider,
    admin: deps.admin,
    findClient: deps.findClient,
    profileKinds: deps.config.directory.profileKinds,
  });

  // 0. URLs built from the request use the configured issuer, never Host or X-Forwarded-Host (set once, on the
  //    prototype of every request).
  issuerOrigin(app, deps.config.issuer);
  // oidc-provider, behind what turns a store outage into 503 (provider-outage.ts): where step 9 ends, and where
  // the machine endpoints go straight after step 1.
  const errors = errorHandler({ views: deps.views, logger: deps.logger });
  const provider = compose([
    providerOutageAnswers(deps.provider),
    deferredTokenWrites(deps.requests, deps.logger),
    mount(deps.provider as unknown as Koa),
  ]);

  app
    // First: the request's id (X-Request-Id in and out, or traceparent's), carried through the request; one access line.
    .use(accessLog({ logger: deps.logger, requests: deps.requests, metrics: deps.metrics }))
    // 1. Security headers on every response, set first so later layers can extend the CSP.
    .use(securityHeaders())
    // 1a. /token, /jwks, discovery, userinfo, introspection, revocation: no broker route, page or cookie of theirs,
    //     so straight to the provider, still inside the error handler and refusing unknown methods
    //     (provider-endpoints.ts, docs/decisions/0028).
    .use(providerEndpoints(compose([errors, unknownMethods(), provider])))
    // 2. Behind https the broker's cookies are Secure even when TLS ends at a proxy it does not trust for headers.
    .use(async (ctx, next) => {
      if (https) ctx.cookies.secure = true;
      await next();
    })
    // 2a. The language of the pages: the person's choice from the language switch is remembered here.
    .use(pageLanguage(deps.views.catalogue))
    // 3. Every error below becomes a page or JSON with a reference code.
    .use(errors)
    // 3a. Methods no route serves (PROPFIND, …) find nothing, rather than the routers' 501.
    .use(unknownMethods())
    // 4. Health, stylesheet, home page.
    .use(pages.routes())
    // 5. The demo's upstream, portals and home page (development only).
    .use(deps.demo ?? ((_ctx, next) => next()))
    // 6. The broker's interaction pages, the first-login association step included.
    .use(association.routes())
    .use(interactions.routes())
    .use(interactions.allowedMethods())
    // 7. Association links and the upstream callback (sign-in and link re-authentication share it).
    .use(links.routes())
    .use(callbacks.routes())
    // 7a. The end of a sign-out: back from the upstream's, or a page saying the upstream's goes on.
    .use(signOut.routes())
    // 8. The admin API: JSON, admin access tokens (client credentials) with a scope per area.
    .use(admin.routes())
    .use(admin.allowedMethods())
    // 8a. Self-service: the account API (a person's access token with the `account` scope) and the account console.
    .use(accountCors(ACCOUNT_API_PREFIX, deps.accountApiOrigins))
    .use(accountApi.routes())
    .use(accountApi.allowedMethods())
    .use(accountConsole.routes())
    // 9. oidc-provider: discovery, JWKS, /auth, /token, /me, /session/end, … (it renders its own errors through
    //    the broker's templates, see provider-pages.ts). Sign-ins started are limited per client address first.
    .use(signInLimit(deps.signInLimiter))
    .use(provider);

  app.on('error', (err: Error) => deps.logger.error('http.unhandled', { message: err.message }));
  return app;
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import compose from 'koa-compose';
import mount from 'koa-mount';
import type { ClientMetadata } from 'oidc-provider';
import type { Config } from '../config/schema.ts';
import type { UpstreamConfig } from '../config/upstream-schema.ts';
import { directorySeedSchema, type DirectorySeed } from '../directory/seed.ts';
import type { ProfileKinds } from '../directory/profile-kinds.ts';
import type { Views } from '../http/views.ts';
import { deriveDemoSecret, deriveDemoSigningKey } from './demo-secrets.ts';
import type { Stores } from '../stores/choose-stores.ts';
import type { DevMailbox } from '../mail/nodemailer-transport.ts';
import { signedOutUri } from '../federation/upstream-sign-out.ts';
import { createWebhookInbox, type InboxEntry } from './webhook-inbox.ts';
import { createDevUpstream, type DemoAccount } from './dev-upstream.ts';
import { createDemoPortal } from './portal.ts';
import type { CookieSigner } from '../shared/cookie-signer.ts';

const DEV_UPSTREAM_PATH = '/dev-upstream';

/**
 * Everything the embedded demo adds to the broker: the development upstream, two portals registered as clients,
 * a resource server for their API tokens, and a seeded directory. Secrets are derived from `secretSeed` (the
 * first cookie key), so demo nodes that share their cookie keys agree on them (demo-secrets.ts).
 */
export function planDemo(config: Config, configDir: string, secretSeed: string) {
  const issuer = config.issuer;
  const accounts = JSON.parse(readFileSync(join(configDir, 'demo', 'upstream-accounts.json'), 'utf8')) as {
    password: string;
    accounts: DemoAccount[];
  };
  const kinds = config.directory.profileKinds;
  const directory: DirectorySeed = directorySeedSchema(kinds).parse(
    demoDirectoryOf(JSON.parse(readFileSync(join(configDir, 'demo', 'directory.json'), 'utf8')) as RawSeed, kinds),
  );
  const upstreamClient = {
    clientId: 'profile-broker',
    clientSecret: deriveDemoSecret(secretSeed, 'dev-upstream-client'),
  };
  const upstream: UpstreamConfig = {
    id: 'demo',
    name: 'Demo consumer account',
    issuer: `${issuer}${DEV_UPSTREAM_PATH}`,
    clientId: upstreamClient.clientId,
    clientSecret: upstreamClient.clientSecret,
    scopes: ['openid', 'email', 'profile'],
    enabled: true,
    allowInsecureHttp: issuer.startsWith('http://'),
    timeoutSeconds: 5,
    signupUri: `${issuer}${DEV_UPSTREAM_PATH}/help/signup`,
    passwordResetUri: `${issuer}${DEV_UPSTREAM_PATH}/help/password`,
    supportUri: `${issuer}${DEV_UPSTREAM_PATH}/help/support`,
  };
  const apiResource = `${issuer}/demo/api`;
  const portals = [
    {
      id: 'customer-portal',
      title: 'Customer portal',
      profileKinds: ['customer', 'partner'],
      contractRequired: true,
      colour: '#0b6e4f',
    },
    {
      id: 'partner-portal',
      title: 'Partner portal',
      // Partners and the operator's own employees (Proseware in the demo directory).
      profileKinds: ['partner', 'employee'],
      contractRequired: false,
      colour: '#5b2a86',
    },
  ]
    // A demo run with kinds of the operator's own: each portal admits those of its kinds that are configured.
    .map((p) => ({ ...p, profileKinds: admittable(p.profileKinds, kinds) }))
    .map((p) => ({ ...p, basePath: `/demo/${p.id}`, clientSecret: deriveDemoSecret(secretSeed, `client:${p.id}`) }));

  const clients: ClientMetadata[] = portals.map((p) => ({
    client_id: p.id,
    client_secret: p.clientSecret,
    client_name: p.title,
    redirect_uris: [`${issuer}${p.basePath}/callback`],
    post_logout_redirect_uris: [`${issuer}${p.basePath}/`],
    // Each portal hears of sign-outs at the broker (OIDC Back-Channel Logout) and ends its own session.
    backchannel_logout_uri: `${issuer}${p.basePath}/backchannel-logout`,
    client_uri: `${issuer}${p.basePath}/`,
    // Its look on the broker's pages of its sign-ins: logo, colour, privacy policy and terms (portal.ts serves them).
    logo_uri: `${issuer}${p.basePath}/logo.svg`,
    policy_uri: `${issuer}${p.basePath}/privacy`,
    tos_uri: `${issuer}${p.basePath}/terms`,
    brand_color: p.colour,
    // oidc-provider accepts only https for initiate_login_uri, so the plain-http demo leaves it out.
    ...(issuer.startsWith('https://') ? { initiate_login_uri: `${issuer}${p.basePath}/login` } : {}),
    grant_types: ['authorization_code', 'refresh_token'],
    profile_kinds: p.profileKinds,
    contract_required: p.contractRequired,
  }));

  return {
    upstream,
    upstreamClient,
    upstreamKey: deriveDemoSigningKey(secretSeed, 'dev-upstream'),
    accounts,
    directory,
    portals,
    clients,
    apiResource,
    // The demo API takes ES256 access tokens: smaller, and cheaper for an API to check than RS256.
    resourceServers: {
      [apiResource]: {
        scope: 'email profile org_profile',
        accessTokenTtlSeconds: 600,
        accessTokenSigningAlg: 'ES256' as const,
      },
    },
  };
}

export type DemoPlan = ReturnType<typeof planDemo>;

type RawSeed = {
  organisations: { id: string; kind: string }[];
  profiles: { id: string; organisationId: string }[];
  associations?: { profileId: string }[];
};

/** The demo directory without the organisations of kinds the operator has not configured (and their people). */
function demoDirectoryOf(seed: RawSeed, kinds: ProfileKinds): RawSeed {
  const organisations = seed.organisations.filter((o) => kinds.includes(o.kind));
  const kept = new Set(organisations.map((o) => o.id));
  const profiles = seed.profiles.filter((p) => kept.has(p.organisationId));
  const profileIds = new Set(profiles.map((p) => p.id));
  return { organisations, profiles, associations: seed.associations?.filter((a) => profileIds.has(a.profileId)) };
}

/** The configured ones of a demo portal's kinds; none of them configured, every configured kind. */
function admittable(wanted: readonly string[], kinds: ProfileKinds): string[] {
  const configured = wanted.filter((kind) => kinds.includes(kind));
  return configured.length ? configured : [...kinds];
}

/** The demo's routes: home page, the development upstream under /dev-upstream, the two portals under /demo. */
export function createDemoRoutes(
  plan: DemoPlan,
  deps: {
    config: Config;
    views: Views;
    cookieSigner: CookieSigner;
    stores: Stores['demo'];
    mailbox?: DevMailbox;
    /** The signing secret of the inbox's subscription, when the demo's webhook inbox is on. */
    webhookInboxSecret?: () => Promise<string | undefined>;
  },
): Middleware {
  const { config } = deps;
  // The demo's pages play outside parties (a portal, an upstream): they are in English only, and not the broker's.
  const views: Views = {
    ...deps.views,
    render: (name, data, options) => deps.views.render(name, { language: 'en', ...data }, options),
  };
  const upstream = createDevUpstream({
    issuer: plan.upstream.issuer,
    mountPath: DEV_UPSTREAM_PATH,
    client: {
      ...plan.upstreamClient,
      redirectUris: [`${config.issuer}/upstream/callback/${plan.upstream.id}`],
      postLogoutRedirectUris: [signedOutUri(config.issuer)],
    },
    endSession: config.demo.upstreamEndSession,
    accounts: plan.accounts.accounts,
    password: plan.accounts.password,
    views,
    cookieSigner: deps.cookieSigner,
    jwks: { keys: [plan.upstreamKey] },
    adapter: deps.stores.oidcAdapter('dev-upstream'),
  });
  const portals = plan.portals.map((p) =>
    createDemoPortal({
      id: p.id,
      title: p.title,
      basePath: p.basePath,
      brokerIssuer: config.issuer,
      clientId: p.id,
      clientSecret: p.clientSecret,
      apiResource: plan.apiResource,
      views,
      sessions: deps.stores.portalSessions(p.id),
    }),
  );

  const home = new Router();
  home.get('/', (ctx) => {
    ctx.body = views.render(
      'demo/home',
      {
        title: 'Profile broker — demo',
        issuer: config.issuer,
        portals: plan.portals,
        accounts: plan.accounts.accounts,
        password: plan.accounts.password,
        upstreamIssuer: plan.upstream.issuer,
        support: config.support,
        mailbox: Boolean(deps.mailbox),
        webhookInbox: Boolean(deps.webhookInboxSecret),
        stores: !config.stores.redisUrl
          ? 'memory (this process only)'
          : /^rediss?-cluster:/.test(config.stores.redisUrl)
            ? 'Redis Cluster and MongoDB'
            : 'Redis and MongoDB',
        // The management listener is plain http on the broker's host (observability/metrics-server.ts).
        metricsUrl: config.metrics.port
          ? `http://${new URL(config.issuer).hostname}:${config.metrics.port}/metrics`
          : undefined,
      },
      { layout: 'demo' },
    );
  });

  // The development mailbox: every email the broker "sent", for the demo's first-login walk-through.
  const mailbox = deps.mailbox;
  if (mailbox) {
    home.get('/dev/mailbox', (ctx) => {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = views.render(
        'demo/mailbox',
        { title: 'Development mailbox', messages: mailbox.list() },
        { layout: 'demo' },
      );
    });
    home.get('/dev/mailbox/:id', (ctx) => {
      const message = mailbox.get(Number(ctx.params.id));
      if (!message) return;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = views.render(
        'demo/mail-message',
        { title: message.subject, message, links: [...new Set(message.text.match(/https?:\/\/\S+/g) ?? [])] },
        { layout: 'demo' },
      );
    });
    home.get('/dev/mailbox/:id/html', (ctx) => {
      const message = mailbox.get(Number(ctx.params.id));
      if (!message) return;
      // The email's own HTML, as a mail client would show it: inline styles allowed, nothing else.
      ctx.set(
        'Content-Security-Policy',
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
      );
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'html';
      ctx.body = message.html;
    });
  }

  const inbox =
    deps.webhookInboxSecret &&
    createWebhookInbox({
      views,
      store: deps.stores.portalSessions<InboxEntry[]>('webhook-inbox'),
      secret: deps.webhookInboxSecret,
    });

  const parts: Middleware[] = [
    home.routes() as Middleware,
    ...(inbox ? [inbox.routes() as Middleware] : []),
    mount(DEV_UPSTREAM_PATH, upstream),
    ...portals.map((p) => p.routes() as Middleware),
  ];
  return compose(parts);
}

/** The demo inbox's subscription: every event, to /dev/webhooks/receive (webhook-inbox.ts). */
export const DEMO_INBOX_SUBSCRIPTION = 'demo-inbox';
export const demoInboxUrl = (issuer: string) => `${issuer}/dev/webhooks/receive`;

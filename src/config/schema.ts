import { z } from 'zod';
import { AFTER_A_CHANGE } from './delivery-schema.ts';
import { OPERATIONS } from './operations-schema.ts';
import { resourceServerSchema } from './resource-server-schema.ts';
import { upstreamSchema } from './upstream-schema.ts';
import { DEFAULT_PROFILE_KINDS, PROFILE_KIND_SLUG, PROFILE_KIND_SLUG_RULE } from '../directory/profile-kinds.ts';

/**
 * Every setting of the broker, with its meaning and default in one place (docs/architecture.md §1).
 * Settings marked PRODUCTION must be changed before NODE_ENV=production will start; see production-rules.ts.
 * Environment variables that override a setting are named in brackets; load.ts maps them.
 */

/** A rate limit's budget: `points` requests per `windowSeconds`, each with its default. */
const budget = (points: number, windowSeconds: number) =>
  z
    .object({
      points: z.number().int().positive().default(points),
      windowSeconds: z.number().int().positive().default(windowSeconds),
    })
    .prefault({});

export const configSchema = z
  .object({
    /** development | test | production [NODE_ENV]. Production refuses every development default. */
    env: z.enum(['development', 'test', 'production']).default('development'),
    /** Port to listen on [PORT]. */
    port: z.number().int().min(0).max(65535).default(3000),
    /** PRODUCTION. Public https URL of the broker, its OpenID issuer identifier [ISSUER]. Default http://localhost:<port>. */
    issuer: z.url().optional(),
    /**
     * Trust X-Forwarded-* headers [TRUST_PROXY]. Only behind a proxy that overwrites them; otherwise anyone can
     * spoof their address (rate limits) and the issuer.
     */
    trustProxy: z.boolean().default(false),
    /** info | warn | error | silent [LOG_LEVEL]. */
    logLevel: z.enum(['info', 'warn', 'error', 'silent']).default('info'),
    /** Stopping gracefully, and metrics on a management port (operations-schema.ts). */
    ...OPERATIONS,

    /** Shown on every page where a person may be stuck, e.g. "ask support for your registered email". */
    support: z
      .object({
        /** How pages name the desk ("Contoso customer care"); unset, each language's words for "the support desk". */
        name: z.string().min(1).max(80).optional(),
        /** [SUPPORT_EMAIL] */
        email: z.email().default('support@example.com'),
      })
      .prefault({}),

    /**
     * The embedded demo [DEMO=true|false]: a development upstream with demo accounts, two demo portals and a seeded
     * directory, all in this process. Default on except in production, where it is refused.
     */
    /**
     * Language and look of the pages and emails (docs/languages-and-templates.md).
     */
    pages: z
      .object({
        /** The language of a page when neither the person, the portal nor the browser asks for one we have [DEFAULT_LANGUAGE]. */
        defaultLanguage: z
          .string()
          .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a language tag such as en or de')
          .default('en'),
        /**
         * A folder of the operator's own templates and catalogues [TEMPLATES_DIR], laid out like views/: a file there
         * replaces the broker's file of the same path (views/interaction/sign-in.hbs, views/mail/…), a catalogue
         * there (locales/<language>/<area>.json) replaces the keys it names and may add a language.
         */
        templatesDir: z.string().min(1).optional(),
        /** Offer the pseudo-language en-XA, which marks every catalogue sentence (for finding untranslated text). */
        pseudoLanguage: z.boolean().default(false),
      })
      .prefault({}),

    demo: z
      .object({
        enabled: z.boolean().optional(),
        /**
         * Whether the development upstream offers RP-initiated logout [DEMO_UPSTREAM_END_SESSION]. Off, it behaves
         * like an upstream without an end-session endpoint, and the broker's sign-out says so.
         */
        upstreamEndSession: z.boolean().default(true),
        /** The demo's webhook inbox at /dev/webhooks, subscribed to every event at start [DEMO_WEBHOOK_INBOX]. */
        webhookInbox: z.boolean().default(true),
      })
      .prefault({}),

    /**
     * Where data lives (docs/architecture.md §5). Neither set: process memory, the embedded default, refused in
     * production. Both set: MongoDB for the directory, Redis for sessions, tokens, links, rate limits and the mail queue.
     */
    stores: z
      .object({
        /** PRODUCTION. MongoDB connection string, e.g. mongodb://mongo:27017/broker (replica sets: list the hosts) [MONGODB_URI]. */
        mongodbUri: z.string().optional(),
        /**
         * PRODUCTION. Redis URL [REDIS_URL]: one server, e.g. redis://redis:6379/0 (rediss:// for TLS), or Sentinels that
         * know the current master, e.g. redis-sentinel://s1:26379,s2:26379,s3:26379/mymaster?db=0, or some nodes of a
         * Redis Cluster, e.g. redis-cluster://r1:6379,r2:6379,r3:6379 (rediss-cluster:// for TLS).
         */
        redisUrl: z
          .string()
          .regex(
            /^(rediss?|redis-sentinel|rediss?-cluster):\/\//,
            'must start with redis://, rediss://, redis-sentinel:// or redis-cluster://',
          )
          .optional(),
        /** Prefix of every Redis key, so that several deployments can share one Redis [REDIS_PREFIX]. */
        redisPrefix: z
          .string()
          .regex(/^[A-Za-z0-9:_-]*$/)
          .default('broker:'),
        /** Build MongoDB indexes at start [CREATE_INDEXES]; otherwise `npm run db:migrate` builds them before a release. */
        createIndexes: z.boolean().default(false),
      })
      .prefault({}),

    keys: z
      .object({
        /** PRODUCTION. Path to a JSON Web Key Set with the private signing keys [JWKS_FILE]. Default: generated per process. */
        jwksFile: z.string().optional(),
        /** PRODUCTION. Secrets that sign cookies, newest first, at least 32 characters [COOKIE_KEYS, comma-separated; or COOKIE_KEYS_FILE, one per line]. Default: random per process. */
        cookieKeys: z.array(z.string().min(32, 'cookie keys need at least 32 characters')).optional(),
        /**
         * PRODUCTION. Secrets that encrypt client secrets at rest (AES-256-GCM), newest first, at least 32 characters
         * [SECRET_KEYS, comma-separated; or SECRET_KEYS_FILE, one per line]. The first encrypts every write; the others
         * still decrypt what they wrote, so keep an old key until every client secret was written again. Kept apart from
         * the cookie keys: a leaked cookie key must not open the portals' secrets (docs/decisions/0008).
         * Default: derived from the cookie keys.
         */
        secretKeys: z.array(z.string().min(32, 'secret keys need at least 32 characters')).optional(),
      })
      .default({}),

    /** The consumer identity services people sign in with. The demo adds its development upstream to these. */
    upstreams: z.array(upstreamSchema).default([]),

    /**
     * Relying-party portals: OpenID Connect client metadata, validated by oidc-provider, plus broker policy:
     * `profile_kinds` (which profile kinds the portal admits; default all), `contract_required` (default false),
     * `upstreams` (ids offered on its sign-in page; default all enabled).
     */
    clients: z.array(z.record(z.string(), z.unknown())).default([]),

    /** Resource servers that get JWT access tokens carrying the profile claims, by resource indicator (RFC 8707). */
    resourceServers: z.record(z.url(), resourceServerSchema).default({}),

    /** The `acr` value of every login through the broker. */
    acr: z.string().default('urn:profile-broker:federated'),

    /** Lifetimes, in seconds. `grant` must be at least `refreshToken` (oidc-provider drops a refresh token with its grant). */
    ttl: z
      .object({
        /** A remembered ("Sign me in automatically") broker session. Unremembered ones end with the browser. */
        session: z
          .number()
          .int()
          .positive()
          .default(14 * 24 * 3600),
        /** Time to finish one sign-in, counted again from the upstream sign-in (the association step may take a while). */
        interaction: z.number().int().positive().default(3600),
        /**
         * How long a sign-in nobody has signed in to yet is kept: anyone can start one, so it lives briefly and stays
         * small (docs/decisions/0011); it gets the full `interaction` lifetime once the upstream sign-in succeeds.
         */
        anonymousInteraction: z.number().int().positive().max(3600).default(600),
        authorizationCode: z.number().int().positive().default(60),
        accessToken: z.number().int().positive().default(600),
        idToken: z.number().int().positive().default(3600),
        refreshToken: z
          .number()
          .int()
          .positive()
          .default(14 * 24 * 3600),
        grant: z
          .number()
          .int()
          .positive()
          .default(14 * 24 * 3600),
      })
      .prefault({}),

    /**
     * Sign-ins started (authorization requests) per client IP address, IPv6 addresses grouped by /64 as for every
     * per-IP limit. Over it, a 429 page with Retry-After. Raise it for portals used by many people behind one address.
     */
    signInLimit: budget(120, 60),

    /** First-login association (seed steps 4–9) and its links (docs/architecture.md §4). */
    association: z
      .object({
        /** How long an emailed association link works. */
        linkTtlSeconds: z
          .number()
          .int()
          .min(300)
          .max(7 * 24 * 3600)
          .default(24 * 3600),
        /** How long "resend" stays unavailable after an email was requested. */
        resendCooldownSeconds: z.number().int().min(0).default(60),
        /**
         * Whether an address with no profile gets a short email saying so (and to check the address the organisation
         * registered), at most one per address in a window of `limits.perRecipientTotal`. Off by default: anyone may
         * type any address, and the broker would write to mailboxes that have nothing to do with it
         * (docs/decisions/0021) [ASSOCIATION_UNKNOWN_ADDRESS_EMAIL].
         */
        unknownAddressEmail: z.boolean().default(false),
        /** Requests allowed per window. Over the recipient limit nothing is sent but the page is the same (it must reveal nothing). */
        limits: z
          .object({
            /** Per (address, asking account): one stranger cannot use up the budget of the person who owns the address. */
            perRecipient: budget(5, 3600),
            /** Per address, whoever asks: the bound on mail one address can receive. */
            perRecipientTotal: budget(20, 3600),
            perIdentity: budget(10, 3600),
            perIp: budget(30, 3600),
          })
          .prefault({}),
      })
      .prefault({}),

    ...AFTER_A_CHANGE,

    /** The organisation directory (docs/decisions/0022-profile-kinds.md). */
    directory: z
      .object({
        /**
         * The kinds of organisation (and so of profile) the directory holds [PROFILE_KINDS, comma-separated]: what an
         * import, the admin API, the command line and a seed file accept, and what portals' `profile_kinds` may name.
         * Each a lower-case slug, no repeats. A kind shows to people as the catalogue's `profile.kind.<kind>` (add the
         * key in your templates folder for a kind of your own), else as the kind itself. Remove a kind only once no
         * organisation has it and no portal lists it.
         */
        profileKinds: z
          .array(z.string())
          .min(1, 'name at least one profile kind (PROFILE_KINDS)')
          .superRefine((kinds, ctx) => {
            kinds.forEach((kind, i) => {
              if (!PROFILE_KIND_SLUG.test(kind))
                ctx.addIssue({
                  code: 'custom',
                  path: [i],
                  message: `${JSON.stringify(kind)} is not ${PROFILE_KIND_SLUG_RULE}`,
                });
              else if (kinds.indexOf(kind) !== i)
                ctx.addIssue({ code: 'custom', path: [i], message: `${JSON.stringify(kind)} is named twice` });
            });
          })
          .default([...DEFAULT_PROFILE_KINDS]),
      })
      .prefault({}),

    /** A directory seed file (organisations, profiles, associations) loaded into memory stores at start. */
    directorySeedFile: z.string().optional(),

    /**
     * The admin API's bootstrap client: it gets access tokens with every admin scope by client credentials at
     * /token, to create the other admin clients [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET]. Default: none.
     */
    admin: z
      .object({
        clientId: z
          .string()
          .regex(/^[A-Za-z0-9._-]{3,64}$/, 'letters, digits, dot, dash or underscore, 3 to 64')
          .optional(),
        clientSecret: z.string().min(32, 'at least 32 characters').optional(),
        /** Lifetime of an admin access token, in seconds. */
        accessTokenTtlSeconds: z.number().int().min(60).max(3600).default(600),
        /**
         * With memory stores only (the embedded demo): the local socket on which `npm start` takes `npm run admin`
         * commands, since its state lives in that process [ADMIN_SOCKET]. Default: profile-broker-<port>.sock in
         * $XDG_RUNTIME_DIR, else profile-broker-<uid>-<port>.sock in the temporary directory; readable by its user only.
         */
        socketPath: z.string().min(1).max(100).optional(),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    if (config.metrics.port !== undefined && config.metrics.port !== 0 && config.metrics.port === config.port) {
      ctx.addIssue({
        code: 'custom',
        path: ['metrics', 'port'],
        message: 'METRICS_PORT must differ from PORT: metrics are never served on the public listener',
      });
    }
    if (Boolean(config.admin.clientId) !== Boolean(config.admin.clientSecret)) {
      ctx.addIssue({ code: 'custom', path: ['admin'], message: 'ADMIN_CLIENT_ID and ADMIN_CLIENT_SECRET go together' });
    }
    if (Boolean(config.stores.mongodbUri) !== Boolean(config.stores.redisUrl)) {
      ctx.addIssue({
        code: 'custom',
        path: ['stores'],
        message: 'MONGODB_URI and REDIS_URL go together: set both (production stores) or neither (memory)',
      });
    }
    if (config.keys.secretKeys?.some((k) => config.keys.cookieKeys?.includes(k))) {
      ctx.addIssue({
        code: 'custom',
        path: ['keys', 'secretKeys'],
        message: 'SECRET_KEYS must not repeat a cookie key: a leaked cookie key must not open the client secrets',
      });
    }
    if (config.ttl.anonymousInteraction > config.ttl.interaction) {
      ctx.addIssue({
        code: 'custom',
        path: ['ttl', 'anonymousInteraction'],
        message: 'must be at most ttl.interaction',
      });
    }
    if (config.ttl.grant < config.ttl.refreshToken) {
      ctx.addIssue({ code: 'custom', path: ['ttl', 'grant'], message: 'must be at least ttl.refreshToken' });
    }
    const ids = new Set<string>();
    config.upstreams.forEach((u, i) => {
      if (ids.has(u.id))
        ctx.addIssue({ code: 'custom', path: ['upstreams', i, 'id'], message: `duplicate upstream id ${u.id}` });
      ids.add(u.id);
      if (!u.allowInsecureHttp && !u.issuer.startsWith('https://')) {
        ctx.addIssue({
          code: 'custom',
          path: ['upstreams', i, 'issuer'],
          message: `upstream ${u.id} has a plain-http issuer (${u.issuer}): use its https URL, or set allowInsecureHttp for a development upstream`,
        });
      }
    });
  });

export type ConfigInput = z.input<typeof configSchema>;
type Parsed = z.output<typeof configSchema>;

/** The configuration after loading: defaults resolved, frozen. */
export type Config = Readonly<
  Omit<Parsed, 'issuer' | 'demo'> & {
    issuer: string;
    demo: { enabled: boolean; upstreamEndSession: boolean; webhookInbox: boolean };
  }
>;

/** Neither store configured: the embedded default, everything in this process's memory (docs/architecture.md §5). */
export function usesMemoryStores(config: Pick<Config, 'stores'>): boolean {
  return !config.stores.mongodbUri || !config.stores.redisUrl;
}

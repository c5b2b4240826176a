import { readFileSync } from 'node:fs';
import { ConfigError } from '../shared/errors.ts';
import { productionProblems } from './production-rules.ts';
import { configSchema, type Config, type ConfigInput } from './schema.ts';

type Env = Record<string, string | undefined>;

/**
 * Builds the configuration from, in increasing precedence: schema defaults, the JSON file named by BROKER_CONFIG,
 * environment variables, and `overrides` (tests). String values of the form "env:NAME" in the file are read from
 * the environment, so secrets stay out of configuration files.
 */
export function loadConfig(env: Env = process.env, overrides: ConfigInput = {}): Config {
  const problems: string[] = [];
  const fromFile = env.BROKER_CONFIG ? readConfigFile(env.BROKER_CONFIG, problems) : {};
  const resolved = resolveEnvReferences(fromFile, env, problems) as ConfigInput;
  const merged = deepMerge(deepMerge(resolved, fromEnv(env, problems)), overrides);

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  if (problems.length || !parsed.success) throw new ConfigError(problems);

  const data = parsed.data;
  const config: Config = {
    ...data,
    issuer: (data.issuer ?? `http://localhost:${data.port}`).replace(/\/$/, ''),
    demo: { ...data.demo, enabled: data.demo.enabled ?? data.env !== 'production' },
  };
  if (config.env === 'production') {
    const refused = productionProblems(config);
    if (refused.length) throw new ConfigError(refused);
  }
  return deepFreeze(config);
}

/**
 * Only the directory's settings (its profile kinds), from the same sources, for a one-shot script that needs nothing
 * else and must not be refused for settings it does not use (scripts/seed-directory.ts).
 */
export function loadDirectorySettings(env: Env = process.env): Config['directory'] {
  const problems: string[] = [];
  const fromFile = env.BROKER_CONFIG ? readConfigFile(env.BROKER_CONFIG, problems) : {};
  const inFile = isPlainObject(fromFile) ? fromFile.directory : undefined;
  const resolved = resolveEnvReferences(inFile ?? {}, env, problems, 'directory');
  const merged = deepMerge(resolved, (fromEnv(env, []) as { directory?: unknown }).directory);
  const parsed = configSchema.shape.directory.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push(['directory', ...issue.path].join('.') + `: ${issue.message}`);
  }
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  return deepFreeze(parsed.data);
}

function readConfigFile(path: string, problems: string[]): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    problems.push(`BROKER_CONFIG: cannot read ${path}: ${(err as Error).message}`);
    return {};
  }
}

function fromEnv(env: Env, problems: string[]): ConfigInput {
  const out: Record<string, unknown> = {};
  const bool = (name: string, value: string) => {
    if (/^(1|true|yes|on)$/i.test(value)) return true;
    if (/^(0|false|no|off)$/i.test(value)) return false;
    problems.push(`${name}: expected true or false, got "${value}"`);
    return undefined;
  };
  if (env.NODE_ENV) out.env = env.NODE_ENV;
  if (env.PORT) out.port = Number(env.PORT);
  if (env.ISSUER) out.issuer = env.ISSUER;
  if (env.TRUST_PROXY) out.trustProxy = bool('TRUST_PROXY', env.TRUST_PROXY);
  if (env.LOG_LEVEL) out.logLevel = env.LOG_LEVEL;
  const metrics: Record<string, unknown> = {};
  if (env.METRICS_PORT) metrics.port = Number(env.METRICS_PORT);
  if (env.METRICS_HOST) metrics.host = env.METRICS_HOST;
  if (Object.keys(metrics).length) out.metrics = metrics;
  if (env.SUPPORT_EMAIL) out.support = { email: env.SUPPORT_EMAIL };
  const shutdown: Record<string, unknown> = {};
  if (env.SHUTDOWN_TIMEOUT_SECONDS) shutdown.timeoutSeconds = Number(env.SHUTDOWN_TIMEOUT_SECONDS);
  if (env.SHUTDOWN_GRACE_SECONDS) shutdown.graceSeconds = Number(env.SHUTDOWN_GRACE_SECONDS);
  if (Object.keys(shutdown).length) out.shutdown = shutdown;
  const pages: Record<string, unknown> = {};
  if (env.DEFAULT_LANGUAGE) pages.defaultLanguage = env.DEFAULT_LANGUAGE;
  if (env.TEMPLATES_DIR) pages.templatesDir = env.TEMPLATES_DIR;
  if (Object.keys(pages).length) out.pages = pages;
  // Comma-separated, blanks around a kind ignored; an empty list is refused by the schema, not read as the default.
  if (env.PROFILE_KINDS !== undefined)
    out.directory = {
      profileKinds: env.PROFILE_KINDS.split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    };
  if (env.AUDIT_RETENTION_DAYS) out.audit = { retentionDays: Number(env.AUDIT_RETENTION_DAYS) };
  if (env.ASSOCIATION_UNKNOWN_ADDRESS_EMAIL)
    out.association = {
      unknownAddressEmail: bool('ASSOCIATION_UNKNOWN_ADDRESS_EMAIL', env.ASSOCIATION_UNKNOWN_ADDRESS_EMAIL),
    };
  const demo: Record<string, unknown> = {};
  if (env.DEMO) demo.enabled = bool('DEMO', env.DEMO);
  if (env.DEMO_UPSTREAM_END_SESSION)
    demo.upstreamEndSession = bool('DEMO_UPSTREAM_END_SESSION', env.DEMO_UPSTREAM_END_SESSION);
  if (env.DEMO_WEBHOOK_INBOX) demo.webhookInbox = bool('DEMO_WEBHOOK_INBOX', env.DEMO_WEBHOOK_INBOX);
  if (Object.keys(demo).length) out.demo = demo;
  const stores: Record<string, unknown> = {};
  if (env.MONGODB_URI) stores.mongodbUri = env.MONGODB_URI;
  if (env.REDIS_URL) stores.redisUrl = env.REDIS_URL;
  if (env.REDIS_PREFIX) stores.redisPrefix = env.REDIS_PREFIX;
  if (env.CREATE_INDEXES) stores.createIndexes = bool('CREATE_INDEXES', env.CREATE_INDEXES);
  if (Object.keys(stores).length) out.stores = stores;
  const mail: Record<string, unknown> = {};
  if (env.SMTP_URL) mail.smtpUrl = env.SMTP_URL;
  if (env.MAIL_FROM) mail.from = env.MAIL_FROM;
  if (Object.keys(mail).length) out.mail = mail;
  const admin: Record<string, unknown> = {};
  if (env.ADMIN_CLIENT_ID || env.ADMIN_CLIENT_SECRET)
    Object.assign(admin, { clientId: env.ADMIN_CLIENT_ID, clientSecret: env.ADMIN_CLIENT_SECRET });
  if (env.ADMIN_SOCKET) admin.socketPath = env.ADMIN_SOCKET;
  if (Object.keys(admin).length) out.admin = admin;
  const keys: Record<string, unknown> = {};
  if (env.JWKS_FILE) keys.jwksFile = env.JWKS_FILE;
  // Cookie keys and client-secret keys: comma-separated in the variable, or one per line in a file (secrets mounted as
  // files; `npm run keys -- --cookie-out / --secret-out`), newest first.
  const keyList = (name: 'COOKIE_KEYS' | 'SECRET_KEYS'): string[] | undefined => {
    if (env[name])
      return env[name]
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean);
    const file = env[`${name}_FILE`];
    if (!file) return undefined;
    try {
      return readFileSync(file, 'utf8')
        .split('\n')
        .map((k) => k.trim())
        .filter(Boolean);
    } catch (err) {
      problems.push(`${name}_FILE: cannot read ${file}: ${(err as Error).message}`);
      return undefined;
    }
  };
  const cookieKeys = keyList('COOKIE_KEYS');
  if (cookieKeys) keys.cookieKeys = cookieKeys;
  const secretKeys = keyList('SECRET_KEYS');
  if (secretKeys) keys.secretKeys = secretKeys;
  if (Object.keys(keys).length) out.keys = keys;
  return out as ConfigInput;
}

function resolveEnvReferences(value: unknown, env: Env, problems: string[], path = ''): unknown {
  if (typeof value === 'string' && value.startsWith('env:')) {
    const name = value.slice(4);
    const found = env[name];
    if (found === undefined) problems.push(`${path || '(root)'}: environment variable ${name} is not set`);
    return found;
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveEnvReferences(v, env, problems, `${path}.${i}`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, resolveEnvReferences(v, env, problems, path ? `${path}.${k}` : k)]),
    );
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; arrays and scalars from `over` replace those of `base`. */
function deepMerge<T>(base: T, over: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out as T;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

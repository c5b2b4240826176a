import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { ClientMetadata } from 'oidc-provider';
import type { Config } from './config/schema.ts';
import { createProfileResolver, type ProfileResolver } from './directory/admitted-profiles.ts';
import { directorySeedSchema, type DirectorySeed } from './directory/seed.ts';
import { createDemoRoutes, planDemo } from './demo/create-demo.ts';
import { createUpstreams, type Upstreams } from './federation/upstreams.ts';
import { createCsrf, type Csrf } from './http/csrf.ts';
import { createProviderPages } from './http/provider-pages.ts';
import { createViews, type Views } from './http/views.ts';
import { assertClientsValid, createProvider } from './oidc/create-provider.ts';
import { generateSigningKey, loadKeyMaterial } from './oidc/signing-keys.ts';
import { systemClock, type Clock } from './shared/clock.ts';
import { createJsonLogger, type Logger } from './shared/logger.ts';
import { createMemoryDirectory } from './stores/memory/directory.ts';
import { createMemoryOidcAdapter } from './stores/memory/oidc-adapter.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const VIEWS_DIR = join(ROOT, 'views');
export const CONFIG_DIR = join(ROOT, 'config');

export interface Services {
  config: Config;
  logger: Logger;
  clock: Clock;
  views: Views;
  viewsDir: string;
  cookieKeys: string[];
  provider: Provider;
  upstreams: Upstreams;
  profiles: ProfileResolver;
  csrf: Csrf;
  demo?: Middleware;
  close(): Promise<void>;
}

/**
 * The composition root (STYLE.md rule 3): the only place that picks concrete stores and wires the factories.
 * Tests call it with their own config, clock and logger and get the same broker `npm start` runs.
 */
export async function createServices(config: Config, options: { logger?: Logger; clock?: Clock } = {}): Promise<Services> {
  const logger = options.logger ?? createJsonLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const keys = await loadKeyMaterial(config.keys);
  if (keys.generated) logger.warn('keys.generated', { message: 'signing and cookie keys were generated for this process; tokens and sessions end when it stops' });

  const demoPlan = config.demo.enabled ? planDemo(config, CONFIG_DIR) : undefined;
  const seed: DirectorySeed = demoPlan?.directory
    ?? (config.directorySeedFile ? directorySeedSchema.parse(JSON.parse(readFileSync(config.directorySeedFile, 'utf8'))) : { organisations: [], profiles: [], associations: [] });

  const directory = createMemoryDirectory(seed);
  const profiles = createProfileResolver({ directory, associations: directory, clock });
  const upstreamConfigs = [...config.upstreams, ...(demoPlan ? [demoPlan.upstream] : [])];
  const upstreams = createUpstreams(upstreamConfigs, logger);
  const views = createViews(VIEWS_DIR, { support: config.support, demo: config.demo.enabled });
  const adapter = createMemoryOidcAdapter(clock);
  const sweep = setInterval(() => adapter.sweep(), 60_000);
  sweep.unref();

  const clients = [
    // oidc-provider fills in defaults on the metadata it is given, so it gets copies of the frozen configuration.
    ...(JSON.parse(JSON.stringify(config.clients)) as ClientMetadata[]),
    ...(demoPlan?.clients ?? []),
  ];
  const provider = createProvider({
    config,
    keys,
    adapter,
    profiles,
    pages: createProviderPages(views, logger),
    clients,
    upstreamIds: upstreamConfigs.map((u) => u.id),
    resourceServers: { ...config.resourceServers, ...demoPlan?.resourceServers },
  });
  await assertClientsValid(provider, clients);

  return {
    config,
    logger,
    clock,
    views,
    viewsDir: VIEWS_DIR,
    cookieKeys: keys.cookieKeys,
    provider,
    upstreams,
    profiles,
    csrf: createCsrf(keys.cookieKeys[0]!, config.issuer),
    demo: demoPlan
      ? createDemoRoutes(demoPlan, { config, views, cookieKeys: keys.cookieKeys, upstreamAdapter: createMemoryOidcAdapter(clock), upstreamKey: await generateSigningKey() })
      : undefined,
    async close() {
      clearInterval(sweep);
    },
  };
}

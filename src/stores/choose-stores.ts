import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { AdapterFactory } from 'oidc-provider';
import type { LinkStore } from '../association/link-store.ts';
import type { RateLimiter } from '../association/rate-limiter.ts';
import type { Config } from '../config/schema.ts';
import type { AssociationStore } from '../directory/association-store.ts';
import type { DirectoryStore } from '../directory/directory-store.ts';
import type { DirectoryAdminStore } from '../directory/directory-admin-store.ts';
import type { DirectorySeed } from '../directory/seed.ts';
import type { UpstreamTransactionStore } from '../federation/transaction-store.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ClientStore } from '../clients/client-store.ts';
import { createMemoryAuditLog } from './memory/audit-log.ts';
import { createMemoryClientStore } from './memory/client-store.ts';
import { createMongoAuditLog } from './mongo/audit-log.ts';
import { createMongoClientStore } from './mongo/client-store.ts';
import { brokerModels } from './mongo/models.ts';
import { createMemoryDirectory } from './memory/directory.ts';
import { createMemoryLinkStore } from './memory/link-store.ts';
import { createMemoryOidcAdapter } from './memory/oidc-adapter.ts';
import { createMemoryRateLimiter } from './memory/rate-limiter.ts';
import { createMemoryTransactionStore } from './memory/transaction-store.ts';
import { createMemoryPortalSessions } from './memory/portal-sessions.ts';
import { createRedisPortalSessions } from './redis/portal-sessions.ts';
import type { PortalSessionStore } from '../demo/portal-sessions.ts';
import { createMongoConnection, MONGO_OPTIONS } from './mongo/connection.ts';
import { keepTrying } from '../shared/keep-trying.ts';
import { createMongoDirectory } from './mongo/directory.ts';
import { seedMongoDirectory } from './mongo/seed.ts';
import { createRedis } from './redis/connection.ts';
import { createRedisLinkStore } from './redis/link-store.ts';
import { createRedisOidcAdapter } from './redis/oidc-adapter.ts';
import { createRedisRateLimiter } from './redis/rate-limiter.ts';
import { createRedisTransactionStore } from './redis/transaction-store.ts';

export interface Stores {
  kind: 'memory' | 'shared';
  directory: DirectoryStore & AssociationStore & DirectoryAdminStore;
  adapter: AdapterFactory & { revokeAccount(accountId: string): Promise<void> };
  clients: ClientStore;
  audit: AuditLog;
  links: LinkStore;
  linkTransactions: UpstreamTransactionStore<{ tokenHash: string }>;
  rateLimiter(options: { keyPrefix: string; points: number; windowSeconds: number }): RateLimiter;
  /** The embedded demo's own storage (its development upstream and portals), beside the broker's, on the same servers. */
  demo: {
    oidcAdapter(name: string): AdapterFactory;
    portalSessions<T>(name: string): PortalSessionStore<T>;
  };
  /** Each dependency's health, for /readyz: true when it answered within a second. */
  readiness(): Promise<Record<string, boolean>>;
  close(): Promise<void>;
}

/**
 * The stores the configuration asks for (docs/architecture.md §5): process memory, or MongoDB (directory, clients,
 * audit) and Redis (everything short-lived). Called only by the composition root. `seed` is loaded into the directory;
 * into MongoDB it is upserted, so loading it at every start changes nothing.
 */
export async function chooseStores(
  config: Config,
  deps: { clock: Clock; logger: Logger; seed: DirectorySeed },
): Promise<Stores> {
  const { mongodbUri, redisUrl } = config.stores;
  if (!mongodbUri || !redisUrl) {
    const adapter = createMemoryOidcAdapter(deps.clock);
    const sweep = setInterval(() => adapter.sweep(), 60_000);
    sweep.unref();
    return {
      kind: 'memory',
      directory: createMemoryDirectory(deps.seed),
      adapter,
      clients: createMemoryClientStore(),
      audit: createMemoryAuditLog(),
      links: createMemoryLinkStore(),
      linkTransactions: createMemoryTransactionStore(deps.clock),
      rateLimiter: (options) => createMemoryRateLimiter(options),
      demo: {
        oidcAdapter: () => createMemoryOidcAdapter(deps.clock),
        portalSessions: () => createMemoryPortalSessions(deps.clock),
      },
      readiness: async () => ({ memory: true }),
      close: async () => clearInterval(sweep),
    };
  }

  const redis = createRedis(redisUrl, deps.logger);
  const mongo = createMongoConnection(mongodbUri, deps.logger);
  const models = brokerModels(mongo);
  // Indexes (when configured) and the seed, once MongoDB answers. If it does not at start, the broker starts
  // anyway (saying "unavailable" until it does) and keeps trying: mongoose itself never retries a failed first
  // connection, so the retry opens it again.
  const startFailed = (err: Error) => deps.logger.warn('mongo.start_failed', { message: err.message });
  const connected = await mongo.asPromise().then(
    () => true,
    (err: Error) => {
      startFailed(err);
      return false;
    },
  );
  const preparation = keepTrying(
    async () => {
      if (mongo.readyState !== 1) await mongo.openUri(mongodbUri, MONGO_OPTIONS);
      if (config.stores.createIndexes) await Promise.all(Object.values(models).map((model) => model.createIndexes()));
      if (deps.seed.organisations.length) await seedMongoDirectory(models, deps.seed);
    },
    {
      intervalMs: 2000,
      startNow: connected,
      onFailure: startFailed,
      onRecovered: () => deps.logger.info('mongo.started', {}),
    },
  );
  await preparation.first;
  const prefix = config.stores.redisPrefix;
  return {
    kind: 'shared',
    directory: createMongoDirectory(models),
    adapter: createRedisOidcAdapter(redis, `${prefix}oidc`),
    clients: createMongoClientStore(models),
    audit: createMongoAuditLog(models),
    links: createRedisLinkStore(redis, `${prefix}links`),
    linkTransactions: createRedisTransactionStore(redis, `${prefix}upstream-tx`),
    rateLimiter: (options) => createRedisRateLimiter(redis, { ...options, keyPrefix: `${prefix}${options.keyPrefix}` }),
    demo: {
      oidcAdapter: (name) => createRedisOidcAdapter(redis, `${prefix}demo:${name}`),
      portalSessions: (name) => createRedisPortalSessions(redis, `${prefix}demo:${name}`),
    },
    readiness: () => readiness(redis, mongo),
    async close() {
      preparation.stop();
      redis.disconnect();
      await mongo.close();
    },
  };
}

async function readiness(redis: Redis, mongo: Connection): Promise<Record<string, boolean>> {
  const within = <T>(promise: Promise<T>) =>
    Promise.race([
      promise.then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => setTimeout(resolve, 1000, false)),
    ]);
  const [redisOk, mongoOk] = await Promise.all([
    within(redis.ping()),
    within(mongo.db ? mongo.db.admin().ping() : Promise.reject(new Error('not connected'))),
  ]);
  return { redis: redisOk, mongodb: mongoOk };
}

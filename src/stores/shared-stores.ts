import type { RedisClient } from './redis/connection-options.ts';
import type { Connection } from 'mongoose';
import type { Config } from '../config/schema.ts';
import type { DirectorySeed } from '../directory/seed.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { keepTrying } from '../shared/keep-trying.ts';
import type { Stores } from './choose-stores.ts';
import { createMongoAuditLog } from './mongo/audit-log.ts';
import { createBrokerIndexes } from './mongo/indexes.ts';
import { createMongoClientStore } from './mongo/client-store.ts';
import { createMongoConnection, MONGO_OPTIONS } from './mongo/connection.ts';
import { createMongoDirectory } from './mongo/directory.ts';
import { createMongoWebhookStore } from './mongo/webhook-store.ts';
import { brokerModels } from './mongo/models.ts';
import { seedMongoDirectory } from './mongo/seed.ts';
import { readTogether, withCachedReads, withLocalChanges, type Generation } from './cached-reads.ts';
import { createRedis } from './redis/connection.ts';
import { trackGenerations } from './redis/generation.ts';
import { createRedisEmailChangeStore } from './redis/email-change-store.ts';
import { createRedisLinkStore } from './redis/link-store.ts';
import { createRedisOidcAdapter } from './redis/oidc-adapter.ts';
import { createRedisPortalSessions } from './redis/portal-sessions.ts';
import { createRedisRateLimiter } from './redis/rate-limiter.ts';
import { createRedisTransactionStore } from './redis/transaction-store.ts';

/**
 * The production stores: MongoDB (directory, clients, audit) and Redis (everything short-lived). A module of its own,
 * loaded only when configured, so that a process on memory stores (the demo, most tests) never loads mongoose,
 * ioredis and their drivers.
 */
export async function openSharedStores(
  config: Config,
  deps: { clock: Clock; logger: Logger; seed: DirectorySeed; requests?: RequestContext },
  { mongodbUri, redisUrl }: { mongodbUri: string; redisUrl: string },
): Promise<Stores> {
  const redis = createRedis(redisUrl, deps.logger);
  const mongo = createMongoConnection(mongodbUri, deps.logger);
  const models = brokerModels(mongo);
  const prefix = config.stores.redisPrefix;
  const directory = createMongoDirectory(models);
  const clients = createMongoClientStore(models);
  const scope = () => deps.requests?.current();
  // Read from memory while Redis sends this node notice of every change to the counters, else a GET per request.
  const tracked = trackGenerations(
    redisUrl,
    redis,
    [`${prefix}generation:directory`, `${prefix}generation:clients`],
    deps.logger,
  );
  const [sharedDirectory, sharedClients] = tracked.generations as [Generation, Generation];
  const { directory: directoryGeneration, clients: clientGeneration } = readTogether(
    {
      directory: { generation: withLocalChanges(sharedDirectory), key: `${prefix}directory` },
      clients: { generation: withLocalChanges(sharedClients), key: `${prefix}clients` },
    },
    scope,
  );
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
      if (config.stores.createIndexes) {
        await createBrokerIndexes(models);
      }
      if (deps.seed.organisations.length) {
        await seedMongoDirectory(models, deps.seed);
        // Written beside the store: every node's cached reads start afresh.
        await directoryGeneration.bump();
      }
    },
    {
      intervalMs: 2000,
      startNow: connected,
      onFailure: startFailed,
      onRecovered: () => deps.logger.info('mongo.started', {}),
    },
  );
  await preparation.first;
  return {
    kind: 'shared',
    // Every write raises its store's generation; the cached views keep what every sign-in, refresh and token request
    // reads (the person's profile, organisation and association; the client) per node while no node has changed it
    // (cached-reads.ts): a Redis GET instead of a query.
    directory: withCachedReads(directory, [], directoryGeneration),
    cachedDirectory: withCachedReads(
      directory,
      ['getProfile', 'getOrganisation', 'findByProfile', 'findByIdentity'],
      directoryGeneration,
    ),
    adapter: createRedisOidcAdapter(redis, `${prefix}oidc`, { scope }),
    clients: withCachedReads(clients, [], clientGeneration),
    cachedClients: withCachedReads(clients, ['find'], clientGeneration),
    clientsGeneration: clientGeneration,
    audit: createMongoAuditLog(models, config.audit.retentionDays),
    webhooks: createMongoWebhookStore(models),
    links: createRedisLinkStore(redis, `${prefix}links`),
    emailChanges: createRedisEmailChangeStore(redis, `${prefix}email-changes`),
    linkTransactions: createRedisTransactionStore(redis, `${prefix}upstream-tx`),
    rateLimiter: (options) => createRedisRateLimiter(redis, { ...options, keyPrefix: `${prefix}${options.keyPrefix}` }),
    browserSessions: (name) => createRedisPortalSessions(redis, `${prefix}sessions:${name}`),
    demo: {
      oidcAdapter: (name) => createRedisOidcAdapter(redis, `${prefix}demo:${name}`, { scope }),
      portalSessions: (name) => createRedisPortalSessions(redis, `${prefix}demo:${name}`),
    },
    readiness: () => readiness(redis, mongo),
    async close() {
      preparation.stop();
      tracked.close();
      redis.disconnect();
      await mongo.close();
    },
  };
}

async function readiness(redis: RedisClient, mongo: Connection): Promise<Record<string, boolean>> {
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

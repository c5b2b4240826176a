import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Cluster } from 'ioredis';
import { randomToken } from '../../src/shared/ids.ts';
import { createRedis } from '../../src/stores/redis/connection.ts';
import type { RedisClient } from '../../src/stores/redis/connection-options.ts';
import { createRedisEmailChangeStore } from '../../src/stores/redis/email-change-store.ts';
import { createRedisLinkStore } from '../../src/stores/redis/link-store.ts';
import { createRedisOidcAdapter } from '../../src/stores/redis/oidc-adapter.ts';
import { createRedisRateLimiter } from '../../src/stores/redis/rate-limiter.ts';
import { createRedisTransactionStore } from '../../src/stores/redis/transaction-store.ts';
import { linkStoreContract, rateLimiterContract, transactionStoreContract } from './association-stores.contract.ts';
import { oidcAdapterContract } from './oidc-adapter.contract.ts';
import { redisOidcLayoutContract } from './redis-oidc-layout.contract.ts';
import { emailChangeStoreContract } from './email-change.contract.ts';

// The same contracts as redis.test.ts, on the Redis Cluster the "redis cluster" test project starts: a script or
// MULTI whose keys span slots fails there with CROSSSLOT, so every store shows here that its keys are tagged.
let redis: RedisClient;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

beforeAll(async () => {
  const url = process.env.TEST_SHARED_REDIS_URL;
  if (!url?.startsWith('redis-cluster://')) throw new Error('run in the "redis cluster" test project');
  redis = createRedis(url, silent);
  await new Promise((resolve) => redis.once('ready', resolve));
});
afterAll(() => redis.disconnect());

oidcAdapterContract('redis cluster', async () => {
  const prefix = `test-${randomToken(6)}`;
  return {
    adapter: createRedisOidcAdapter(redis, prefix),
    expire: async (seconds) => {
      const deadline = Date.now() + seconds * 1000 + 2000;
      while (Date.now() < deadline && (await redis.exists(`${prefix}:{Interaction:short}`)))
        await new Promise((r) => setTimeout(r, 50));
    },
  };
});
redisOidcLayoutContract('redis cluster', () => redis);

linkStoreContract('redis cluster', async () => createRedisLinkStore(redis, `links-${randomToken(6)}`));
rateLimiterContract('redis cluster', async (points) =>
  createRedisRateLimiter(redis, { keyPrefix: randomToken(6), points, windowSeconds: 3600 }),
);
transactionStoreContract('redis cluster', async () => createRedisTransactionStore(redis, `tx-${randomToken(6)}`));
emailChangeStoreContract('redis cluster', async () =>
  createRedisEmailChangeStore(redis, `email-changes-${randomToken(6)}`),
);

describe('the Redis Cluster these tests run on', () => {
  it('spreads the keys of many payloads over all three masters', async () => {
    const prefix = `spread-${randomToken(6)}`;
    const adapter = createRedisOidcAdapter(redis, prefix)('AccessToken');
    for (let i = 0; i < 30; i++) await adapter.upsert(`token-${i}`, { grantId: 'g1' }, 60);
    const masters = (redis as Cluster).nodes('master');
    const holding = await Promise.all(masters.map(async (node) => (await node.keys(`${prefix}:*`)).length));
    expect(masters).toHaveLength(3);
    expect(holding.filter((count) => count > 0)).toHaveLength(3);
  });
});

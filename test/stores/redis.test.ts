import { afterAll, beforeAll } from '@jest/globals';
import type { Redis } from 'ioredis';
import { randomToken } from '../../src/shared/ids.ts';
import { createRedis } from '../../src/stores/redis/connection.ts';
import { createRedisLinkStore } from '../../src/stores/redis/link-store.ts';
import { createRedisOidcAdapter } from '../../src/stores/redis/oidc-adapter.ts';
import { createRedisRateLimiter } from '../../src/stores/redis/rate-limiter.ts';
import { createRedisTransactionStore } from '../../src/stores/redis/transaction-store.ts';
import { linkStoreContract, rateLimiterContract, transactionStoreContract } from './association-stores.contract.ts';
import { startRedis } from '../support/redis.ts';
import { oidcAdapterContract } from './oidc-adapter.contract.ts';

let server: Awaited<ReturnType<typeof startRedis>>;
let redis: Redis;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

beforeAll(async () => {
  server = await startRedis();
  redis = createRedis(server.url, silent);
  await new Promise((resolve) => redis.once('ready', resolve));
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

// Each test gets its own key prefix; expiry is real (Redis TTLs), so "expire" waits for Redis to drop the key.
oidcAdapterContract('redis', async () => {
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

linkStoreContract('redis', async () => createRedisLinkStore(redis, `links-${randomToken(6)}`));
rateLimiterContract('redis', async (points) =>
  createRedisRateLimiter(redis, { keyPrefix: randomToken(6), points, windowSeconds: 3600 }),
);
transactionStoreContract('redis', async () => createRedisTransactionStore(redis, `tx-${randomToken(6)}`));

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomToken } from '../../src/shared/ids.ts';
import { newEmailChange } from '../../src/account/email-change.ts';
import type { RedisClient } from '../../src/stores/redis/connection-options.ts';
import { createRedisEmailChangeStore } from '../../src/stores/redis/email-change-store.ts';
import { createRedisLinkStore } from '../../src/stores/redis/link-store.ts';
import { createRedisOidcAdapter } from '../../src/stores/redis/oidc-adapter.ts';
import { createRedisRateLimiter } from '../../src/stores/redis/rate-limiter.ts';
import { createRedisTransactionStore } from '../../src/stores/redis/transaction-store.ts';
import { linkStoreContract, rateLimiterContract, transactionStoreContract } from './association-stores.contract.ts';
import { startRedisWithClient } from '../support/redis.ts';
import { oidcAdapterContract } from './oidc-adapter.contract.ts';
import { redisOidcLayoutContract } from './redis-oidc-layout.contract.ts';
import { emailChangeStoreContract } from './email-change.contract.ts';

let started: Awaited<ReturnType<typeof startRedisWithClient>>;
let redis: RedisClient;

beforeAll(async () => {
  started = await startRedisWithClient();
  redis = started.client;
});
afterAll(() => started.stop());

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

redisOidcLayoutContract('redis', () => redis);

linkStoreContract('redis', async () => createRedisLinkStore(redis, `links-${randomToken(6)}`));
rateLimiterContract('redis', async (points) =>
  createRedisRateLimiter(redis, { keyPrefix: randomToken(6), points, windowSeconds: 3600 }),
);
transactionStoreContract('redis', async () => createRedisTransactionStore(redis, `tx-${randomToken(6)}`));
emailChangeStoreContract('redis', async () => createRedisEmailChangeStore(redis, `email-changes-${randomToken(6)}`));

describe('redis email-change store keys', () => {
  it("keeps every key under its prefix, each with a TTL past the change's expiry", async () => {
    const prefix = `email-changes-${randomToken(6)}`;
    const store = createRedisEmailChangeStore(redis, prefix);
    const { change } = newEmailChange({
      profileId: 'p',
      organisationId: 'o',
      oldEmail: 'a@old.example',
      newEmail: 'a@new.example',
      requester: { upstreamId: 'up', subject: 's' },
      createdAt: new Date(),
      ttlSeconds: 3600,
    });
    await store.issue(change);
    await store.consume(change.tokenHash, new Date());
    const keys = await redis.keys(`${prefix}:*`);
    // The token's lookup, the change, its status and the profile's pending change.
    expect(keys).toHaveLength(4);
    for (const key of keys) expect(await redis.pttl(key)).toBeGreaterThan(3600 * 1000);
  });
});

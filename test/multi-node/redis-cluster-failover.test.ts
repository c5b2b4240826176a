import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { isolatedStores, startBroker, type TestBroker } from '../support/broker.ts';
import { signIn } from '../support/flows.ts';
import { startMongo } from '../support/mongo.ts';
import { createPortal, type Portal } from '../support/portal.ts';
import { startRedisCluster } from '../support/redis-cluster.ts';
import { waitUntil } from '../support/wait.ts';

let redis: Awaited<ReturnType<typeof startRedisCluster>>;
let mongo: Awaited<ReturnType<typeof startMongo>>;
let broker: TestBroker;
let portal: Portal;
let prefix: string;

beforeAll(async () => {
  [redis, mongo] = await Promise.all([startRedisCluster(), startMongo()]);
  const stores = isolatedStores(redis.url, mongo.uri);
  prefix = stores.redisPrefix;
  broker = await startBroker({ stores });
  portal = await createPortal(broker.issuer);
}, 90_000);
afterAll(async () => {
  await broker?.close();
  await Promise.all([redis?.stop(), mongo?.stop()]);
});

describe('Redis Cluster (REDIS_URL=redis-cluster://…)', () => {
  it("carries on when the master holding a person's refresh token dies and its replica takes over", async () => {
    expect(await (await fetch(`${broker.issuer}/`)).text()).toContain('Stores: Redis Cluster and MongoDB.');
    const before = await signIn(new Browser(), portal, 'alice');
    expect(before.claims.sub).toBe('prf-alice-contoso');
    // An opaque refresh token is its own id: this is the key its record lives under.
    const master = await redis.masterOf(`${prefix}oidc:{RefreshToken:${before.tokens.refresh_token}}`);

    await redis.replicasCaughtUp();
    await redis.killMaster(master);
    expect(await redis.masterOf(`${prefix}oidc:{RefreshToken:${before.tokens.refresh_token}}`)).not.toBe(master);
    await waitUntil(
      async () => (await fetch(`${broker.issuer}/readyz`)).status === 200,
      20_000,
      'the broker to be ready on the cluster again',
    );

    // The replica had the data: the refresh token from before the failover still works, and new sign-ins too, with
    // their association links and mail queue spread over every master, the promoted one included.
    expect((await portal.refresh(before.tokens.refresh_token!)).claims()!.sub).toBe('prf-alice-contoso');
    expect((await signIn(new Browser(), portal, 'bob', { pick: 'prf-bob-fabrikam' })).claims.sub).toBe(
      'prf-bob-fabrikam',
    );
  }, 90_000);
});

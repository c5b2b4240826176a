import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { isolatedStores, startBroker, type TestBroker } from '../support/broker.ts';
import { signIn } from '../support/flows.ts';
import { startMongo } from '../support/mongo.ts';
import { createPortal, type Portal } from '../support/portal.ts';
import { startRedisWithSentinel } from '../support/redis-sentinel.ts';
import { waitUntil } from '../support/wait.ts';

let redis: Awaited<ReturnType<typeof startRedisWithSentinel>>;
let mongo: Awaited<ReturnType<typeof startMongo>>;
let broker: TestBroker;
let portal: Portal;

beforeAll(async () => {
  [redis, mongo] = await Promise.all([startRedisWithSentinel(), startMongo()]);
  broker = await startBroker({ stores: isolatedStores(redis.url, mongo.uri) });
  portal = await createPortal(broker.issuer);
}, 60_000);
afterAll(async () => {
  await broker?.close();
  await Promise.all([redis?.stop(), mongo?.stop()]);
});

describe('Redis through Sentinel (REDIS_URL=redis-sentinel://…)', () => {
  it('signs in through the master the Sentinel names, and carries on after a failover to the replica', async () => {
    expect(await redis.currentMasterPort()).toBe(redis.masterPort);
    const before = await signIn(new Browser(), portal, 'alice');
    expect(before.claims.sub).toBe('prf-alice-contoso');

    await redis.replicaCaughtUp();
    await redis.killMaster();
    await waitUntil(
      async () => (await redis.currentMasterPort()) === redis.replicaPort,
      20_000,
      'the Sentinel to promote the replica',
    );
    await waitUntil(
      async () => (await fetch(`${broker.issuer}/readyz`)).status === 200,
      15_000,
      'the broker to reach the new master',
    );

    // The replica had the data: the refresh token from before the failover still works, and new sign-ins too.
    expect((await portal.refresh(before.tokens.refresh_token!)).claims()!.sub).toBe('prf-alice-contoso');
    expect((await signIn(new Browser(), portal, 'bob', { pick: 'prf-bob-fabrikam' })).claims.sub).toBe(
      'prf-bob-fabrikam',
    );
  }, 60_000);
});

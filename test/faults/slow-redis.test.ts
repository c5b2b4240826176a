import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { isolatedStores, startBroker, type TestBroker } from '../support/broker.ts';
import { authorize, signIn } from '../support/flows.ts';
import { startMongo } from '../support/mongo.ts';
import { createPortal, type Portal } from '../support/portal.ts';
import { startRedis } from '../support/redis.ts';
import { startSlowProxy } from '../support/slow-proxy.ts';

let redis: Awaited<ReturnType<typeof startRedis>>;
let mongo: Awaited<ReturnType<typeof startMongo>>;
let slow: Awaited<ReturnType<typeof startSlowProxy>>;
let broker: TestBroker;
let portal: Portal;

beforeAll(async () => {
  [redis, mongo] = await Promise.all([startRedis(), startMongo()]);
  slow = await startSlowProxy(Number(new URL(redis.url).port));
  // Only the broker's own Redis connection goes through the slow proxy; the mail queue keeps the direct one.
  broker = await startBroker({ stores: isolatedStores(slow.url, mongo.uri) });
  portal = await createPortal(broker.issuer);
}, 60_000);
afterAll(async () => {
  await broker?.close();
  await slow?.close();
  await Promise.all([redis?.stop(), mongo?.stop()]);
});

describe('a slow Redis', () => {
  it('at 200 ms a reply, sign-in still completes, only slower', async () => {
    slow.state.delayMs = 200;
    const started = Date.now();
    const { claims } = await signIn(new Browser(), portal, 'alice');
    expect(claims.sub).toBe('prf-alice-contoso');
    expect(Date.now() - started).toBeGreaterThan(1000);
  }, 60_000);

  it('at 2 s a reply, the person gets a "temporarily unavailable" page within 2 s instead of a hang', async () => {
    slow.state.delayMs = 2000;
    const started = Date.now();
    const { page } = await authorize(new Browser(), portal);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(page.status).toBe(503);
    expect(page.headers.get('retry-after')).toBe('10');
    slow.state.delayMs = 0;
  }, 30_000);
});

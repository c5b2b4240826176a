import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { hashLinkToken } from '../../src/association/link.ts';
import { Browser } from '../support/browser.ts';
import { basicAuth, isolatedStores, startBroker, TEST_PORTAL, type TestBroker } from '../support/broker.ts';
import { authorize, signIn, signInUpstream } from '../support/flows.ts';
import { startMongo } from '../support/mongo.ts';
import { createPortal, type Portal } from '../support/portal.ts';
import { startRedis } from '../support/redis.ts';
import { waitUntil } from '../support/wait.ts';

let redis: Awaited<ReturnType<typeof startRedis>>;
let mongo: Awaited<ReturnType<typeof startMongo>>;
let broker: TestBroker;
let portal: Portal;
const started: TestBroker[] = [];

beforeAll(async () => {
  // Redis keeps its data across a stop and start, as a production Redis with persistence does; data loss has its own test.
  [redis, mongo] = await Promise.all([startRedis({ persistent: true }), startMongo()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([redis?.stop(), mongo?.stop()]);
});
// Each test starts from both servers up, whatever the one before left, and starts its own broker on stores of its own
// (a fresh key prefix and database): no test relies on another's broker or data.
beforeEach(async () => {
  await Promise.all([redis.start(), mongo.start()]);
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((b) => b.close()));
});

/** This test's broker and portal, on a fresh prefix and database of the servers as they are now (stopped or not). */
async function startBrokerOnOwnStores() {
  broker = await startBroker({ stores: isolatedStores(redis.url, mongo.uri) });
  started.push(broker);
  portal = await createPortal(broker.issuer);
}

const readiness = async () => {
  const response = await fetch(`${broker.issuer}/readyz`);
  return { status: response.status, body: (await response.json()) as { checks: Record<string, string> } };
};

/** Runs `fn` and returns what it returned with how long it took, in milliseconds. */
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const result = await fn();
  return [result, Date.now() - started];
}

describe('store outages fail closed and fast, and recover without a restart', () => {
  it('Redis down at start: a "temporarily unavailable" page at once; /healthz stays up, /readyz says why; then it recovers', async () => {
    await redis.stop();
    await startBrokerOnOwnStores();
    const [{ page }, elapsed] = await timed(() => authorize(new Browser(), portal));
    expect(elapsed).toBeLessThan(2000);
    expect(page.stopped).toBeUndefined();
    expect(page.status).toBe(503);
    expect(page.headers.get('retry-after')).toBe('10');
    expect(page.$('h1').text()).toBe('Temporarily unavailable');
    expect(page.text).toMatch(/Reference: [0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}/);
    expect(page.text).not.toMatch(/Stream isn't writeable|at \w+ \(/);
    expect((await fetch(`${broker.issuer}/healthz`)).status).toBe(200);
    expect(await readiness()).toEqual({
      status: 503,
      body: { status: 'unavailable', checks: { redis: 'unavailable', mongodb: 'ok' } },
    });

    await redis.start();
    await waitUntil(async () => (await readiness()).status === 200, 15_000, 'the broker to see Redis again');
    const { claims } = await signIn(new Browser(), portal, 'alice');
    expect(claims.sub).toBe('prf-alice-contoso');
  }, 40_000);

  it('Redis down at /token: temporarily_unavailable with Retry-After at once, and sign-in works again when it is back', async () => {
    await startBrokerOnOwnStores();
    const browser = new Browser();
    const { page, checks } = await authorize(browser, portal);
    const back = await signInUpstream(browser, page, 'alice', { stopAt: [portal.redirectUri] });
    await redis.stop();
    const [response, elapsed] = await timed(() =>
      fetch(`${broker.issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basicAuth(TEST_PORTAL.client_id, TEST_PORTAL.client_secret),
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: new URL(back.stopped!).searchParams.get('code')!,
          redirect_uri: portal.redirectUri,
          code_verifier: checks.codeVerifier,
        }),
      }),
    );
    expect(elapsed).toBeLessThan(2000);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('10');
    expect(await response.json()).toMatchObject({ error: 'temporarily_unavailable' });

    await redis.start();
    await waitUntil(async () => (await readiness()).status === 200, 15_000, 'the broker to see Redis again');
    expect((await signIn(new Browser(), portal, 'alice')).claims.sub).toBe('prf-alice-contoso');
  }, 40_000);

  it('Redis refuses the new tokens of a refresh: none is handed out (500 server_error), and a new sign-in works', async () => {
    const stores = isolatedStores(redis.url, mongo.uri);
    broker = await startBroker({ stores });
    started.push(broker);
    portal = await createPortal(broker.issuer);
    const offline = { scope: 'openid email profile org_profile offline_access' };
    const { tokens } = await signIn(new Browser(), portal, 'alice', { parameters: offline });
    const client = new Redis(redis.url);
    try {
      const oidc = `${stores.redisPrefix}oidc`;
      const stored = JSON.parse((await client.get(`${oidc}:{RefreshToken:${tokens.refresh_token}}`))!) as {
        grantId: string;
      };
      // The grant's index of its tokens damaged (a string where a set belongs): each token save of the grant fails.
      await client.set(`${oidc}:grant:${stored.grantId}`, 'damaged');
      const response = await fetch(`${broker.issuer}/token`, {
        method: 'POST',
        headers: { authorization: basicAuth(TEST_PORTAL.client_id, TEST_PORTAL.client_secret) },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, ...offline }),
      });
      expect(response.status).toBe(500);
      const body = await response.text();
      expect(JSON.parse(body)).toMatchObject({ error: 'server_error' });
      expect(body).not.toMatch(/access_token|refresh_token|id_token/);
    } finally {
      client.disconnect();
    }
    expect((await signIn(new Browser(), portal, 'alice')).claims.sub).toBe('prf-alice-contoso');
  }, 40_000);

  it('MongoDB down when the profiles are looked up: a 503 page within 2 s, and the same sign-in continues once it is back', async () => {
    await startBrokerOnOwnStores();
    const browser = new Browser();
    const { page, checks } = await authorize(browser, portal);
    // Signed in upstream, stopped before the broker's callback.
    const atCallback = await signInUpstream(browser, page, 'bob', { stopAt: [`${broker.issuer}/upstream/callback/`] });
    await mongo.stop();
    const [down, elapsed] = await timed(() => browser.go(atCallback.stopped!, { stopAt: [portal.redirectUri] }));
    expect(elapsed).toBeLessThan(2500);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('10');
    expect(down.text).toContain('temporarily unavailable');
    expect((await readiness()).body.checks.mongodb).toBe('unavailable');

    await mongo.start();
    await waitUntil(async () => (await readiness()).status === 200, 20_000, 'the broker to see MongoDB again');
    // The interaction lives in Redis, untouched: reloading the page carries on.
    const picker = await browser.go(down.url, { stopAt: [portal.redirectUri] });
    expect(picker.$('h1').text()).toBe('Choose a profile');
    const done = await browser.submit(
      picker,
      'form[action$="/select"]',
      { profile: 'prf-bob-contoso' },
      { stopAt: [portal.redirectUri] },
    );
    expect((await portal.redeem(done.stopped!, checks)).claims()!.sub).toBe('prf-bob-contoso');
  }, 60_000);

  it('MongoDB down while a link is redeemed: a 503 page, nothing written, and the same link works once it is back', async () => {
    await startBrokerOnOwnStores();
    const { url } = await portal.authorizationUrl();
    const browser = new Browser();
    const emailPage = await signInUpstream(browser, await browser.go(url), 'erin');
    await browser.submit(emailPage, 'form[action$="/associate"]', { email: 'erin.evans@contoso.example' });
    await waitUntil(
      () => broker.services.mailbox!.list().some((m) => m.to === 'erin.evans@contoso.example'),
      15_000,
      'the association email',
    );
    const link = /http:\/\/\S+\/associate\/[A-Za-z0-9_-]+/.exec(
      broker.services.mailbox!.list().find((m) => m.to === 'erin.evans@contoso.example')!.text,
    )![0];

    const linkBrowser = new Browser();
    const landing = await linkBrowser.go(link);
    const upstreamLogin = await linkBrowser.submit(landing, 'form[action="/associate/continue"]');
    await mongo.stop();
    const [down, elapsed] = await timed(() =>
      linkBrowser.submit(upstreamLogin, 'form[action$="/login"]', { username: 'erin', password: 'demo' }),
    );
    expect(elapsed).toBeLessThan(2500);
    expect(down.status).toBe(503);
    const token = link.split('/associate/')[1]!;
    expect((await broker.services.redeem.links.findByTokenHash(hashLinkToken(token)))!.status).toBe('active');

    await mongo.start();
    await waitUntil(async () => (await readiness()).status === 200, 20_000, 'the broker to see MongoDB again');
    expect(await broker.services.redeem.associations.findByProfile('prf-erin-contoso')).toBeUndefined();
    const again = await linkBrowser.go(link);
    const retryLogin = await linkBrowser.submit(again, 'form[action="/associate/continue"]');
    const success = await linkBrowser.submit(retryLogin, 'form[action$="/login"]', {
      username: 'erin',
      password: 'demo',
    });
    expect(success.text).toContain('is now associated with your profile at Contoso Pharmaceuticals');
    expect(await broker.services.redeem.associations.findByProfile('prf-erin-contoso')).toMatchObject({
      upstreamId: 'demo',
      subject: 'demo-0005-erin',
    });
  }, 60_000);

  it('Redis down mid-login (at the upstream callback): a 503 page within 2 s, and the same sign-in continues once it is back', async () => {
    await startBrokerOnOwnStores();
    const browser = new Browser();
    const { page, checks } = await authorize(browser, portal);
    // Signed in upstream, stopped before the broker's callback.
    const atCallback = await signInUpstream(browser, page, 'alice', {
      stopAt: [`${broker.issuer}/upstream/callback/`],
    });
    await redis.stop();
    const [down, elapsed] = await timed(() => browser.go(atCallback.stopped!, { stopAt: [portal.redirectUri] }));
    expect(elapsed).toBeLessThan(2000);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('10');
    expect(down.$('h1').text()).toBe('Temporarily unavailable');

    await redis.start();
    await waitUntil(async () => (await readiness()).status === 200, 15_000, 'the broker to see Redis again');
    // Nothing was taken while Redis was down: the upstream transaction is still there, so reloading carries on.
    const back = await browser.go(atCallback.stopped!, { stopAt: [portal.redirectUri] });
    expect(back.stopped ?? `${back.status} ${back.url} ${back.text.slice(0, 300)}`).toMatch(/^https:\/\/portal/);
    expect((await portal.redeem(back.stopped!, checks)).claims()!.sub).toBe('prf-alice-contoso');
  }, 40_000);

  it('Redis flushed mid-flow (data lost, e.g. a failover without persistence): clear 4xx answers, nothing half-done, and a fresh start works', async () => {
    await startBrokerOnOwnStores();
    const flush = async () => {
      const client = new Redis(redis.url);
      await client.flushall();
      client.disconnect();
    };
    // A person between the upstream sign-in and the callback; a portal holding a code and a refresh token.
    const person = new Browser();
    const { page } = await authorize(person, portal);
    // Signed in upstream, stopped before the broker's callback.
    const atCallback = await signInUpstream(person, page, 'alice', { stopAt: [`${broker.issuer}/upstream/callback/`] });
    const holder = new Browser();
    const signedIn = await signIn(holder, portal, 'alice');
    const otherBrowser = new Browser();
    const other = await authorize(otherBrowser, portal);
    const coded = await signInUpstream(otherBrowser, other.page, 'alice', { stopAt: [portal.redirectUri] });

    const logsBefore = broker.logs.length;
    await flush();

    const lost = await person.go(atCallback.stopped!, { stopAt: [portal.redirectUri] });
    expect(lost.status).toBeGreaterThanOrEqual(400);
    expect(lost.status).toBeLessThan(500);
    expect(lost.text).toMatch(/start (again|over)|sign in again|expired/i);
    expect(lost.text).not.toMatch(/at \w+ \(|TypeError|ReplyError/);

    await expect(portal.redeem(coded.stopped!, other.checks)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(portal.refresh(signedIn.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const userinfo = await fetch(`${broker.issuer}/me`, {
      headers: { authorization: `Bearer ${signedIn.tokens.access_token}` },
    });
    expect(userinfo.status).toBe(401);
    expect(broker.logs.slice(logsBefore).filter((l) => l.level === 'error')).toEqual([]);

    // The session is gone with everything else: the next sign-in asks upstream again, and works.
    expect((await signIn(new Browser(), portal, 'alice')).claims.sub).toBe('prf-alice-contoso');
  }, 40_000);

  it('MongoDB down at start: the broker starts, answers 503 at once, and serves sign-ins once MongoDB is up, with no restart', async () => {
    await mongo.stop();
    const started = Date.now();
    const late = await startBroker({ stores: isolatedStores(redis.url, mongo.uri) });
    try {
      expect(Date.now() - started).toBeLessThan(10_000);
      const latePortal = await createPortal(late.issuer);
      const [{ page }, elapsed] = await timed(() => authorize(new Browser(), latePortal));
      expect(elapsed).toBeLessThan(2000);
      expect(page.status).toBe(503);
      expect(page.$('h1').text()).toBe('Temporarily unavailable');
      expect(
        ((await fetch(`${late.issuer}/readyz`).then((r) => r.json())) as { checks: Record<string, string> }).checks
          .mongodb,
      ).toBe('unavailable');
      expect(late.logs.filter((l) => l.level === 'error' && l.status !== 503)).toEqual([]);

      await mongo.start();
      // The clients, the seeded directory and the indexes are written in the background once MongoDB answers.
      await waitUntil(
        async () => Boolean(await late.services.clients.find('test-portal').catch(() => undefined)),
        20_000,
        'the configured clients to be written',
      );
      await waitUntil(
        async () => (await fetch(`${late.issuer}/readyz`)).status === 200,
        20_000,
        'the broker to see MongoDB',
      );
      await waitUntil(
        async () =>
          Boolean(await late.services.redeem.associations.findByProfile('prf-alice-contoso').catch(() => undefined)),
        20_000,
        'the seed',
      );
      expect((await signIn(new Browser(), latePortal, 'alice')).claims.sub).toBe('prf-alice-contoso');
    } finally {
      await late.close();
    }
  }, 60_000);
});

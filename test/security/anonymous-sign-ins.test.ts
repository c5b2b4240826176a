import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { ANONYMOUS_REQUEST_BYTES } from '../../src/oidc/interaction-lifetime.ts';
import { Browser } from '../support/browser.ts';
import { basicAuth, isolatedStores, startBroker, TEST_PORTAL, type TestBroker } from '../support/broker.ts';
import { authorize, signIn, signInUpstream } from '../support/flows.ts';
import { startMongo } from '../support/mongo.ts';
import { createPortal } from '../support/portal.ts';
import { startRedis } from '../support/redis.ts';

// A Redis of this file's own: its memory figures are this file's requests and nothing else's.
let redisServer: Awaited<ReturnType<typeof startRedis>>;
let mongo: Awaited<ReturnType<typeof startMongo>>;
let redis: Redis;
const brokers: TestBroker[] = [];

beforeAll(async () => {
  [redisServer, mongo] = await Promise.all([startRedis(), startMongo()]);
  redis = new Redis(redisServer.url);
}, 60_000);
afterAll(async () => {
  for (const broker of brokers) await broker.close();
  redis.disconnect();
  await Promise.all([redisServer.stop(), mongo.stop()]);
});

/** A broker on this file's Redis (and MongoDB), under a key prefix of its own. */
async function brokerOnRedis(overrides: Parameters<typeof startBroker>[0] = {}) {
  const stores = isolatedStores(redisServer.url, mongo.uri);
  const broker = await startBroker({ stores, ...overrides });
  brokers.push(broker);
  return { broker, interactionKeys: () => redis.keys(`${stores.redisPrefix}oidc:{Interaction:*}`) };
}

/** What an openid-client portal sends, with `state` padded by `extra` characters. */
function authorizationParameters(extra = 0): Record<string, string> {
  return {
    client_id: 'test-portal',
    response_type: 'code',
    scope: 'openid email profile org_profile',
    redirect_uri: 'https://portal.example/cb',
    state: `7xZbq3Rk0cJ9uN2LmA4sVtYwE8hP1oGf6dKiQ5jCrXn${'s'.repeat(extra)}`,
    nonce: 'Qm3vT8rY2kLp9sWx4zNc7bHd1fJg6hKa0eRu5iOt3yU',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  };
}

/** Bytes the broker counts for a request before sign-in: its parameters and the prompt they lead to, as stored. */
const requestBytes = (parameters: Record<string, string>) =>
  Buffer.byteLength(JSON.stringify([parameters, { name: 'login', reasons: ['no_session'], details: {} }]));

const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);

const startSignIn = (issuer: string, parameters: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${issuer}/auth?${new URLSearchParams(parameters)}`, {
    redirect: 'manual',
    headers: { accept: 'text/html', ...headers },
  });

describe('a sign-in nobody has signed in to yet', () => {
  it('is kept at most 10 minutes and under 2 KB of Redis: 1,000 anonymous /auth requests', async () => {
    const { broker, interactionKeys } = await brokerOnRedis({ signInLimit: { points: 100_000, windowSeconds: 60 } });
    await (await startSignIn(broker.issuer, authorizationParameters())).arrayBuffer();
    const keysBefore = (await interactionKeys()).length;
    const before = await usedMemory();

    const REQUESTS = 1000;
    let next = 0;
    const statuses = new Map<number, number>();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < REQUESTS) {
          next += 1;
          const response = await startSignIn(broker.issuer, authorizationParameters());
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        }
      }),
    );

    const perRequest = ((await usedMemory()) - before) / REQUESTS;
    const keys = await interactionKeys();
    const ttls = await Promise.all(keys.map((key) => redis.pttl(key)));
    process.stdout.write(
      `${REQUESTS} anonymous /auth: ${perRequest.toFixed(0)} bytes of Redis each, ${keys.length - keysBefore} interactions kept, longest ${Math.max(...ttls)} ms\n`,
    );
    expect(Object.fromEntries(statuses)).toEqual({ 303: REQUESTS });
    expect(keys.length - keysBefore).toBe(REQUESTS);
    expect(perRequest).toBeLessThanOrEqual(2048);
    expect(Math.max(...ttls)).toBeLessThanOrEqual(600_000);
    expect(Math.min(...ttls)).toBeGreaterThan(0);
  }, 300_000);

  it('stays under 2 KB of Redis at the largest request it accepts, upstream round-trip included', async () => {
    const { broker, interactionKeys } = await brokerOnRedis();
    const parameters = authorizationParameters(ANONYMOUS_REQUEST_BYTES - requestBytes(authorizationParameters()));
    expect(requestBytes(parameters)).toBe(ANONYMOUS_REQUEST_BYTES);

    const browser = new Browser();
    const signInPage = await browser.go(`${broker.issuer}/auth?${new URLSearchParams(parameters)}`);
    expect(signInPage.$('form[action$="/upstream"]').length).toBe(1);
    // Choosing the upstream adds the round-trip's state, nonce and PKCE verifier to the interaction.
    const upstreamLogin = await browser.submit(
      signInPage,
      'form[action$="/upstream"]',
      {},
      { submitter: 'button[value="demo"]' },
    );
    expect(upstreamLogin.url).toContain('/dev-upstream/');

    const [key] = await interactionKeys();
    const bytes = Number(await redis.call('MEMORY', 'USAGE', key!));
    process.stdout.write(
      `largest anonymous interaction (${ANONYMOUS_REQUEST_BYTES} bytes of parameters), upstream round-trip started: ${bytes} bytes of Redis\n`,
    );
    expect(bytes).toBeLessThanOrEqual(2048);
  });

  it('refuses a larger request before sign-in: invalid_request at the portal, nothing kept', async () => {
    const { broker, interactionKeys } = await brokerOnRedis();
    const parameters = authorizationParameters(ANONYMOUS_REQUEST_BYTES - requestBytes(authorizationParameters()) + 1);
    const response = await startSignIn(broker.issuer, parameters);
    expect(response.status).toBe(303);
    const redirect = new URL(response.headers.get('location')!);
    expect(redirect.origin + redirect.pathname).toBe('https://portal.example/cb');
    expect(redirect.searchParams.get('error')).toBe('invalid_request');
    expect(redirect.searchParams.get('error_description')).toBe(
      `authorization request too large (${ANONYMOUS_REQUEST_BYTES + 1} bytes of parameters, at most ${ANONYMOUS_REQUEST_BYTES} before sign-in)`,
    );
    expect(redirect.searchParams.get('state')).toBe(parameters.state);
    expect(await interactionKeys()).toEqual([]);
  });

  it("gets the full hour once the person has signed in upstream, in Redis and in the browser's cookies", async () => {
    const { broker, interactionKeys } = await brokerOnRedis();
    const browser = new Browser();
    const { page } = await authorize(browser, await createPortal(broker.issuer));
    const [key] = await interactionKeys();
    expect(await redis.pttl(key!)).toBeLessThanOrEqual(600_000);

    // Dave has no associated profile: the sign-in waits at the association step, possibly for a long while.
    const emailPage = await signInUpstream(browser, page, 'dave');
    expect(emailPage.$('h1').text()).toBe('Enter your registered email address');
    expect(await redis.pttl(key!)).toBeGreaterThan(3500_000);
    const uid = key!.slice(key!.lastIndexOf(':') + 1, -1);
    for (const [name, path] of [
      ['_interaction', `/interaction/${uid}`],
      ['_interaction_resume', `/auth/${uid}`],
    ] as const) {
      const cookie = await browser.cookie(`${broker.issuer}${path}`, name);
      expect(cookie?.expires).toBeInstanceOf(Date);
      expect((cookie!.expires as Date).getTime() - Date.now()).toBeGreaterThan(3500_000);
    }
  });
});

describe('starting sign-ins, per client address', () => {
  it('refuses more than the configured number per window with a 429 page and Retry-After; prompt=none still answers', async () => {
    const { broker } = await brokerOnRedis({ signInLimit: { points: 3, windowSeconds: 60 } });
    for (let i = 0; i < 3; i++) expect((await startSignIn(broker.issuer, authorizationParameters())).status).toBe(303);

    const refused = await startSignIn(broker.issuer, authorizationParameters());
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('content-type')).toContain('text/html');
    const page = await refused.text();
    expect(page).toContain('Too many attempts');
    expect(page).toContain(
      'Too many sign-ins were started from your network in a short time. Wait 1 minute, then go back to the portal and sign in again.',
    );

    // A silent request keeps nothing and is not counted: the portal still learns that nobody is signed in.
    const silent = await startSignIn(broker.issuer, { ...authorizationParameters(), prompt: 'none' });
    expect(silent.status).toBe(303);
    expect(new URL(silent.headers.get('location')!).searchParams.get('error')).toBe('login_required');
  });

  it("counts pushed authorization requests, and a pushed request's sign-in whatever prompt the query says", async () => {
    const { broker } = await brokerOnRedis({ signInLimit: { points: 2, windowSeconds: 60 } });
    const push = () =>
      fetch(`${broker.issuer}/request`, {
        method: 'POST',
        headers: {
          authorization: basicAuth(TEST_PORTAL.client_id, TEST_PORTAL.client_secret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams(authorizationParameters()),
      });
    const pushed = await push();
    expect(pushed.status).toBe(201);
    const { request_uri: requestUri } = (await pushed.json()) as { request_uri: string };
    // oidc-provider takes the prompt from the pushed request, so `prompt=none` in the query exempts nothing.
    expect(
      (await startSignIn(broker.issuer, { client_id: TEST_PORTAL.client_id, request_uri: requestUri, prompt: 'none' }))
        .status,
    ).toBe(303);
    expect((await push()).status).toBe(429);
  });

  it("takes a re-authentication carrying an id_token_hint: the broker's own ID token does not count against the bound", async () => {
    const { broker } = await brokerOnRedis();
    const portal = await createPortal(broker.issuer);
    const { tokens } = await signIn(new Browser(), portal, 'alice');
    const hint = tokens.id_token!;
    expect(hint.length).toBeGreaterThan(ANONYMOUS_REQUEST_BYTES / 2);
    // A new browser (the broker session gone), the portal asking for a fresh sign-in of the same person.
    const again = await startSignIn(broker.issuer, {
      ...authorizationParameters(),
      prompt: 'login',
      id_token_hint: hint,
    });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toMatch(/^\/interaction\//);
  });

  it('counts IPv6 clients by /64, behind a trusted proxy', async () => {
    const { broker } = await brokerOnRedis({ trustProxy: true, signInLimit: { points: 2, windowSeconds: 60 } });
    const from = async (address: string) =>
      (await startSignIn(broker.issuer, authorizationParameters(), { 'x-forwarded-for': address })).status;
    expect(await from('2001:db8:1:2::1')).toBe(303);
    expect(await from('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe(303);
    // A third address of the same /64 (written differently) is the same client.
    expect(await from('2001:0db8:0001:0002:0000:0000:0000:ffff')).toBe(429);
    expect(await from('2001:db8:1:3::1')).toBe(303);
    expect(await from('203.0.113.7')).toBe(303);
  });
});

import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { startBroker, TEST_PORTAL, type TestBroker } from '../support/broker.ts';
import { authorize, signIn } from '../support/flows.ts';
import { createPortal, type Portal } from '../support/portal.ts';
import { rogueUpstreamConfig, startRogueUpstream, type Scenario } from '../support/rogue-upstream.ts';
import { waitUntil } from '../support/wait.ts';

const ROGUE_ONLY = {
  ...TEST_PORTAL,
  client_id: 'rogue-only',
  redirect_uris: ['https://rogue-only.example/cb'],
  post_logout_redirect_uris: [],
  upstreams: ['rogue'],
};
const DEMO_ONLY = {
  ...TEST_PORTAL,
  client_id: 'demo-only',
  redirect_uris: ['https://demo-only.example/cb'],
  post_logout_redirect_uris: [],
  upstreams: ['demo'],
};

let broker: TestBroker;
let portal: Portal;
let rogue: Awaited<ReturnType<typeof startRogueUpstream>>;

beforeAll(async () => {
  // The rogue upstream asserts the same subject and email as Alice has at the demo upstream.
  rogue = await startRogueUpstream({
    clientId: 'broker-at-rogue',
    subject: 'demo-0001-alice',
    email: 'alice@outlook.example',
    foreignIssuer: 'http://127.0.0.1:9/foreign',
  });
  broker = await startBroker({
    clients: [TEST_PORTAL, DEMO_ONLY, ROGUE_ONLY],
    upstreams: [
      rogueUpstreamConfig(rogue.issuer),
      {
        id: 'offline',
        name: 'Offline IdP',
        issuer: 'http://127.0.0.1:9/offline',
        clientId: 'x',
        allowInsecureHttp: true,
        timeoutSeconds: 1,
      },
    ],
  });
  portal = await createPortal(broker.issuer);
});
afterAll(async () => {
  await broker.close();
  await rogue.close();
});

const callbackPrefix = () => `${broker.issuer}/upstream/callback/`;

/** Runs portal → broker → rogue upstream, stopping just before the broker's callback. */
async function toCallback(scenario: Scenario, browser = new Browser()) {
  rogue.state.scenario = scenario;
  const { page, checks } = await authorize(browser, portal);
  const atCallback = await browser.submit(
    page,
    'form[action$="/upstream"]',
    {},
    { submitter: 'button[value="rogue"]', stopAt: [callbackPrefix()] },
  );
  expect(atCallback.stopped).toContain('/upstream/callback/rogue');
  return { browser, callback: atCallback.stopped!, checks };
}

async function expectRefused(scenario: Scenario, options: { tokenRequest: boolean }) {
  const before = rogue.state.tokenRequests;
  const { browser, callback } = await toCallback(scenario);
  const page = await browser.go(callback, { stopAt: [portal.redirectUri] });
  expect(page.stopped).toBeUndefined();
  expect(page.status).toBe(400);
  expect(page.text).not.toMatch(/at \w+ \(|node_modules/);
  expect(rogue.state.tokenRequests - before).toBe(options.tokenRequest ? 1 : 0);
  expect(await browser.cookie(broker.issuer, '_session')).toBeUndefined();
  return page;
}

/** The log line of the last refused request: what an operator reads to learn why a real upstream was refused. */
function lastRefusal() {
  const line = broker.logs.filter((l) => l.event === 'http.refused').at(-1)!;
  return { code: line.error_code, says: `${String(line.message)} ${String(line.cause ?? '')}` };
}

/** The check that failed, as the log must name it for each hostile answer (openid-client's own wording). */
const REASONS: Partial<Record<Scenario, string>> = {
  'no-iss-param': 'response parameter "iss" (issuer) missing',
  'foreign-iss-param': 'unexpected "iss" (issuer) response parameter value',
  'alg-none': 'unexpected JWT "alg" header parameter',
  'hs256-public-key': 'unexpected JWT "alg" header parameter',
  'wrong-aud': 'unexpected JWT "aud" (audience) claim value',
  expired: 'unexpected JWT "exp" (expiration time) claim value, expiration is past current timestamp',
  'future-iat': 'upstream ID token issued in the future',
  'wrong-nonce': 'unexpected ID Token "nonce" claim value',
  'replayed-nonce': 'unexpected ID Token "nonce" claim value',
  'unknown-kid': 'no applicable keys found',
  'foreign-iss': 'unexpected JWT "iss" (issuer) claim value',
};

describe('upstream callback', () => {
  it('accepts a well-formed response (control case): the identity is keyed on (upstream, sub), so the same sub and email at another upstream is not Alice', async () => {
    const { browser, callback } = await toCallback('valid');
    const page = await browser.go(callback, { stopAt: [portal.redirectUri] });
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Enter your registered email address');
  });

  it('refuses a callback without state', async () => {
    const page = await new Browser().go(`${callbackPrefix()}rogue?code=abc`);
    expect(page.status).toBe(400);
    expect(page.text).toContain('This sign-in response is incomplete');
  });

  it('refuses a state this browser did not start (login CSRF: a callback URL planted in another browser)', async () => {
    const before = rogue.state.tokenRequests;
    const { callback } = await toCallback('valid');
    const page = await new Browser().go(callback, { stopAt: [portal.redirectUri] });
    expect(page.status).toBe(400);
    expect(page.text).toContain('does not belong to a sign-in started in this browser');
    expect(rogue.state.tokenRequests).toBe(before);
  });

  it('refuses a foreign state value in this browser', async () => {
    const { browser, callback } = await toCallback('valid');
    const forged = new URL(callback);
    forged.searchParams.set('state', 'forged-state');
    const page = await browser.go(forged.href);
    expect(page.status).toBe(400);
  });

  it("answers a reload of a finished callback with the sign-in's next page, without a second token request", async () => {
    const { browser, callback } = await toCallback('valid');
    const first = await browser.go(callback, { stopAt: [portal.redirectUri] });
    expect(first.url).toMatch(/\/interaction\//);
    const before = rogue.state.tokenRequests;
    const reload = await browser.go(callback, { stopAt: [portal.redirectUri] });
    expect(reload.status).toBe(200);
    expect(reload.url).toBe(first.url);
    expect(reload.text).toContain('Enter your registered email address');
    expect(reload.text).not.toContain('does not belong to a sign-in');
    expect(rogue.state.tokenRequests).toBe(before);
  });

  it('refuses a replayed callback even with a saved copy of its cookie: the transaction is single use on the server', async () => {
    const { browser, callback } = await toCallback('valid');
    const saved = (await browser.jar.getCookies(callback)).map((c) => c.toString());
    expect(saved.some((c) => c.startsWith('broker.up.'))).toBe(true);
    await browser.go(callback, { stopAt: [portal.redirectUri] });
    for (const cookie of saved) await browser.jar.setCookie(cookie, callback);
    const before = rogue.state.tokenRequests;
    const replay = await browser.go(callback, { stopAt: [portal.redirectUri] });
    expect(replay.status).toBe(400);
    expect(replay.text).toContain('does not belong to a sign-in started in this browser');
    expect(rogue.state.tokenRequests).toBe(before);
  });

  it("refuses a callback arriving at another upstream's callback path", async () => {
    const { browser, callback } = await toCallback('valid');
    const page = await browser.go(callback.replace('/callback/rogue', '/callback/demo'));
    expect(page.status).toBe(400);
  });

  it('refuses an `iss` naming another authorization server (mix-up, RFC 9207) before any token request', async () => {
    await expectRefused('foreign-iss-param', { tokenRequest: false });
    expect(lastRefusal()).toEqual({
      code: 'upstream_response_invalid',
      says: expect.stringContaining(REASONS['foreign-iss-param']!),
    });
  });

  it('refuses a missing `iss` from an upstream that advertises it, before any token request, and logs that reason', async () => {
    await expectRefused('no-iss-param', { tokenRequest: false });
    expect(lastRefusal()).toEqual({
      code: 'upstream_response_invalid',
      says: expect.stringContaining(REASONS['no-iss-param']!),
    });
  });

  it.each<Scenario>([
    'alg-none',
    'hs256-public-key',
    'wrong-aud',
    'expired',
    'future-iat',
    'wrong-nonce',
    'replayed-nonce',
    'unknown-kid',
    'foreign-iss',
  ])('refuses an upstream ID token with %s, and logs which check failed', async (scenario) => {
    if (scenario === 'replayed-nonce') await toCallback('valid').then(({ browser, callback }) => browser.go(callback));
    const page = await expectRefused(scenario, { tokenRequest: true });
    expect(page.text).toContain('could not be verified');
    // The person reads a general sentence; the log names the check that failed.
    expect(lastRefusal()).toEqual({
      code: 'upstream_response_invalid',
      says: expect.stringContaining(REASONS[scenario]!),
    });
  });

  it('gives the portal a clean access_denied with its own state when the upstream returns error=access_denied', async () => {
    const { browser, callback, checks } = await toCallback('access-denied');
    const back = await browser.go(callback, { stopAt: [portal.redirectUri] });
    const redirect = new URL(back.stopped!);
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('state')).toBe(checks.state);
  });

  it('answers an unreachable upstream with a 503 page and Retry-After, quickly', async () => {
    const browser = new Browser();
    const { page } = await authorize(browser, portal);
    const started = Date.now();
    const down = await browser.submit(page, 'form[action$="/upstream"]', {}, { submitter: 'button[value="offline"]' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('30');
    expect(down.text).toContain('Offline IdP cannot be reached right now');
    expect(down.text).toMatch(/Reference: [0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}/);
  });

  it('offers every enabled upstream as a button, and only those a portal allows', async () => {
    const { page } = await authorize(new Browser(), portal);
    expect(
      page
        .$('button[name="upstream"]')
        .map((_, el) => page.$(el).attr('value'))
        .get(),
    ).toEqual(['rogue', 'offline', 'demo']);

    const browser = new Browser();
    const demoOnly = await createPortal(broker.issuer, DEMO_ONLY);
    const { page: restricted } = await authorize(browser, demoOnly);
    expect(
      restricted
        .$('button[name="upstream"]')
        .map((_, el) => restricted.$(el).attr('value'))
        .get(),
    ).toEqual(['demo']);
    const refused = await browser.submit(
      restricted,
      'form[action$="/upstream"]',
      { upstream: 'rogue' },
      { submitter: 'button[value="demo"]' },
    );
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('That sign-in option is not available for');
  });

  it('does not carry a session from one upstream into a portal that allows only another', async () => {
    const browser = new Browser();
    await signIn(browser, portal, 'alice');
    const rogueOnly = await createPortal(broker.issuer, ROGUE_ONLY);
    const silent = await authorize(browser, rogueOnly, { prompt: 'none' });
    expect(new URL(silent.page.stopped!).searchParams.get('error')).toBe('login_required');
    const switching = await authorize(browser, rogueOnly, { prompt: 'select_account' });
    expect(switching.page.$('h1').text()).toBe('Sign in to Test portal');
    expect(
      switching.page
        .$('button[name="upstream"]')
        .map((_, el) => switching.page.$(el).attr('value'))
        .get(),
    ).toEqual(['rogue']);
  });

  it('lets the waiting tab finish a first login through an upstream that always sends auth_time', async () => {
    const browser = new Browser();
    const { checks, callback } = await toCallback('valid', browser);
    const emailPage = await browser.go(callback);
    expect(emailPage.$('h1').text()).toBe('Enter your registered email address');
    const sent = await browser.submit(emailPage, 'form[action$="/associate"]', { email: 'erin.evans@contoso.example' });
    await waitUntil(() => broker.services.mailbox!.list().length > 0, 10_000, 'the association email');
    const link = /http:\/\/\S+\/associate\/[A-Za-z0-9_-]+/.exec(broker.services.mailbox!.list()[0]!.text)![0];
    const linkBrowser = new Browser();
    const landing = await linkBrowser.go(link);
    const success = await linkBrowser.submit(landing, 'form[action="/associate/continue"]');
    expect(success.text).toContain('is now associated with your profile at Contoso Pharmaceuticals');
    const back = await browser.go(sent.url, { stopAt: [portal.redirectUri] });
    expect((await portal.redeem(back.stopped!, checks)).claims()!.sub).toBe('prf-erin-contoso');
  });

  it('follows an upstream signing-key rotation with one JWKS refetch, once its cached key set is a minute old', async () => {
    await toCallback('valid').then(({ browser, callback }) => browser.go(callback, { stopAt: [portal.redirectUri] }));
    const fetchesBefore = rogue.state.jwksRequests;
    // openid-client refetches the key set for an unknown key id only when its copy is at least 60 s old (a limit
    // against key-id spraying). Move the clock, and only the clock, past that minute.
    jest.useFakeTimers({
      doNotFake: [
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
        'setImmediate',
        'clearImmediate',
        'nextTick',
        'queueMicrotask',
        'hrtime',
        'performance',
      ],
    });
    try {
      jest.setSystemTime(Date.now() + 61_000);
      const { browser, callback } = await toCallback('rotated-key');
      const page = await browser.go(callback, { stopAt: [portal.redirectUri] });
      // Accepted: on to the portal, or to the email step if this identity has no profile (earlier tests may add one).
      expect(page.stopped?.includes('code=') || page.$('h1').text() === 'Enter your registered email address').toBe(
        true,
      );
      expect(rogue.state.jwksRequests - fetchesBefore).toBe(1);
    } finally {
      jest.useRealTimers();
      rogue.state.scenario = 'valid';
    }
  });

  it('gives up on a slow upstream token endpoint within its timeout, with a 503 page', async () => {
    const slow = await startBroker({
      upstreams: [rogueUpstreamConfig(rogue.issuer, { timeoutSeconds: 1 })],
    });
    try {
      rogue.state.scenario = 'slow-token';
      const browser = new Browser();
      const slowPortal = await createPortal(slow.issuer);
      const { page } = await authorize(browser, slowPortal);
      const atCallback = await browser.submit(
        page,
        'form[action$="/upstream"]',
        {},
        { submitter: 'button[value="rogue"]', stopAt: [`${slow.issuer}/upstream/callback/`] },
      );
      const started = Date.now();
      const result = await browser.go(atCallback.stopped!);
      const elapsed = Date.now() - started;
      expect(result.status).toBe(503);
      expect(result.text).toContain('Rogue IdP cannot be reached right now');
      expect(elapsed).toBeLessThan(2500);
    } finally {
      rogue.state.scenario = 'valid';
      await slow.close();
    }
  });
});

import { request } from 'node:http';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { submitUpstreamLogin } from '../support/flows.ts';
import { createPortal } from '../support/portal.ts';
import { spawnBroker } from '../support/process-broker.ts';
import { settled } from '../support/wait.ts';

const brokers: TestBroker[] = [];
afterAll(async () => {
  for (const broker of brokers) await broker.close();
});

const FORGED = { host: 'evil.test', 'x-forwarded-host': 'evil.test', 'x-forwarded-proto': 'https' };

/**
 * A browser request with a forged Host and X-Forwarded-Host/-Proto (fetch cannot forge Host), carrying and
 * keeping the browser's cookies.
 */
async function forged(issuer: string, browser: Browser, path: string, form?: URLSearchParams) {
  const url = `${issuer}${path}`;
  const cookie = await browser.jar.getCookieString(url);
  const body = form?.toString();
  const headers: Record<string, string> = { ...FORGED, accept: 'text/html' };
  if (cookie) headers.cookie = cookie;
  if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
  const { status, location, setCookies } = await new Promise<{
    status: number;
    location?: string;
    setCookies: string[];
  }>((resolve, reject) => {
    const req = request(url, { method: body ? 'POST' : 'GET', headers }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          location: res.headers.location,
          setCookies: res.headers['set-cookie'] ?? [],
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
  for (const header of setCookies) await browser.jar.setCookie(header, url);
  return { status, location };
}

/** Where a redirect the broker sent leads; relative ones resolve against the real issuer, as a browser's would. */
const target = (issuer: string, location: string | undefined) => new URL(location!, issuer);

describe.each([false, true])(
  'URLs the broker builds, with trustProxy %s and a forged Host and X-Forwarded-Host',
  (trustProxy) => {
    let broker: TestBroker;
    const start = async () => {
      if (!broker) {
        broker = await startBroker({ trustProxy });
        brokers.push(broker);
      }
      return broker;
    };

    it("discovery names the configured issuer's endpoints only", async () => {
      const { issuer } = await start();
      const response = await new Promise<string>((resolve, reject) => {
        request(`${issuer}/.well-known/openid-configuration`, { headers: FORGED }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
      const discovery = JSON.parse(response) as Record<string, unknown>;
      const urls = Object.values(discovery).filter(
        (value): value is string => typeof value === 'string' && /^https?:/.test(value),
      );
      expect(urls.length).toBeGreaterThan(5);
      for (const url of urls) expect(url === issuer || url.startsWith(`${issuer}/`)).toBe(true);
      expect(discovery.authorization_endpoint).toBe(`${issuer}/auth`);
    });

    it('sends the person to the issuer at every step of a sign-in, and back to the portal at the end', async () => {
      const { issuer } = await start();
      const portal = await createPortal(issuer);
      const browser = new Browser();
      const { url, checks } = await portal.authorizationUrl();

      const started = await forged(issuer, browser, new URL(url).pathname + new URL(url).search);
      expect(started.status).toBe(303);
      const interaction = target(issuer, started.location);
      expect(interaction.origin).toBe(issuer);

      const signInPage = await browser.go(interaction.href);
      const csrf = signInPage.$('input[name="csrf"]').attr('value')!;
      const upstream = await forged(
        issuer,
        browser,
        `${interaction.pathname}/upstream`,
        new URLSearchParams({ csrf, upstream: 'demo' }),
      );
      expect(upstream.status).toBe(303);
      const upstreamUrl = target(issuer, upstream.location);
      expect(upstreamUrl.searchParams.get('redirect_uri')).toBe(`${issuer}/upstream/callback/demo`);

      // Alice has one profile this portal admits: the upstream sign-in ends at the portal, through the address the
      // interaction kept at /auth (oidc-provider's resume endpoint).
      const upstreamLogin = await browser.go(upstreamUrl.href);
      const back = await submitUpstreamLogin(browser, upstreamLogin, 'alice', [
        portal.redirectUri,
        'http://evil.test',
        'https://evil.test',
      ]);
      expect(back.stopped?.startsWith(`${portal.redirectUri}?`)).toBe(true);
      expect(browser.requests.every((r) => r.split(' ')[1]!.startsWith(`${issuer}/`))).toBe(true);
      const tokens = await portal.redeem(back.stopped!, checks);
      expect(tokens.claims()!.iss).toBe(issuer);
    });

    it('mails association links on the issuer', async () => {
      const { issuer, services } = await start();
      const portal = await createPortal(issuer);
      const browser = new Browser();
      const { url } = await portal.authorizationUrl();
      const interaction = target(
        issuer,
        (await forged(issuer, browser, new URL(url).pathname + new URL(url).search)).location,
      );
      const signInPage = await browser.go(interaction.href);
      const csrf = signInPage.$('input[name="csrf"]').attr('value')!;
      const upstream = await forged(
        issuer,
        browser,
        `${interaction.pathname}/upstream`,
        new URLSearchParams({ csrf, upstream: 'demo' }),
      );
      // Dave has no associated profile: he is asked for his registered address.
      const emailPage = await submitUpstreamLogin(
        browser,
        await browser.go(target(issuer, upstream.location).href),
        'dave',
      );
      expect(emailPage.$('h1').text()).toBe('Enter your registered email address');
      const sent = await forged(
        issuer,
        browser,
        `${interaction.pathname}/associate`,
        new URLSearchParams({ csrf, email: 'erin.evans@contoso.example' }),
      );
      expect(target(issuer, sent.location).origin).toBe(issuer);
      await settled(services);
      const mail = services.mailbox!.list().find((m) => m.to === 'erin.evans@contoso.example');
      const links = mail!.text.match(/https?:\/\/\S+\/associate\/\S+/g)!;
      expect(links.length).toBeGreaterThan(0);
      for (const link of links) expect(link.startsWith(`${issuer}/associate/`)).toBe(true);
    });
  },
);

describe('methods the broker does not serve', () => {
  it.each([
    ['PROPFIND', '/auth'],
    ['PROPFIND', '/'],
    ['MKCOL', '/token'],
    ['PURGE', '/interaction/abc'],
    ['LOCK', '/healthz'],
  ])('%s %s finds nothing (404), never 501', async (method, path) => {
    if (!brokers.length) brokers.push(await startBroker());
    const [broker] = brokers as [TestBroker];
    const page = await fetch(`${broker.issuer}${path}`, { method, headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('There is no page at this address.');
  });

  it('answers a method Node cannot even parse (FOO /) with 404, not 400 or 501', async () => {
    const broker = await spawnBroker();
    try {
      for (const path of ['/', '/auth']) {
        const response = await fetch(`${broker.issuer}${path}`, { method: 'FOO' });
        expect(response.status).toBe(404);
      }
      // The process keeps serving.
      expect((await fetch(`${broker.issuer}/healthz`)).status).toBe(200);
    } finally {
      await broker.stop();
    }
    // Beyond the 60 s a broker process is given to come up, so a slow start fails with what the process printed.
  }, 90_000);
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser, type Page } from '../support/browser.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { authorize, signIn, signInUpstream } from '../support/flows.ts';
import { createPortal, type Portal } from '../support/portal.ts';
import { createCookieSigner } from '../../src/shared/cookie-signer.ts';

let broker: TestBroker;
let portal: Portal;

beforeAll(async () => {
  broker = await startBroker();
  portal = await createPortal(broker.issuer);
});
afterAll(() => broker.close());

function expectProtectiveHeaders(page: Pick<Page, 'headers'>) {
  expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(page.headers.get('x-frame-options')).toBe('DENY');
  expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  expect(page.headers.get('x-content-type-options')).toBe('nosniff');
}

describe('pages', () => {
  it('sends anti-framing, CSP and no-referrer headers on every broker page of a sign-in', async () => {
    const browser = new Browser();
    const { page: signInPage } = await authorize(browser, portal);
    expectProtectiveHeaders(signInPage);
    expect(signInPage.headers.get('cache-control')).toBe('no-store');
    const picker = await signInUpstream(browser, signInPage, 'bob');
    expectProtectiveHeaders(picker);
    const notFound = await browser.go(`${broker.issuer}/no-such-page`);
    expect(notFound.status).toBe(404);
    expectProtectiveHeaders(notFound);
    expectProtectiveHeaders(await browser.go(`${broker.issuer}/`));
  });

  it("sends the same headers on oidc-provider's machine endpoints, which skip the broker's pages", async () => {
    const token = await fetch(`${broker.issuer}/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expect(token.status).toBe(400);
    for (const response of [
      token,
      await fetch(`${broker.issuer}/jwks`),
      await fetch(`${broker.issuer}/.well-known/openid-configuration`),
      await fetch(`${broker.issuer}/me`),
    ])
      expectProtectiveHeaders(response);
  });

  it("sends the same headers on oidc-provider's own pages (errors, logout)", async () => {
    const browser = new Browser();
    expectProtectiveHeaders(await browser.go(`${broker.issuer}/auth?client_id=nobody`));
    const { tokens } = await signIn(browser, portal, 'alice');
    expectProtectiveHeaders(await browser.go(portal.endSessionUrl({ id_token_hint: tokens.id_token! })));
  });

  it("refuses forged form posts: no CSRF token, another interaction's token, another origin", async () => {
    const browser = new Browser();
    const { page } = await authorize(browser, portal);
    const form = page.$('form[action$="/upstream"]');
    const action = new URL(form.attr('action')!, page.url).href;

    const noField = await browser.go(action, { method: 'POST', body: new URLSearchParams({ upstream: 'demo' }) });
    expect(noField.status).toBe(400);
    const emptyToken = await browser.go(action, {
      method: 'POST',
      body: new URLSearchParams({ upstream: 'demo', csrf: '' }),
    });
    expect(emptyToken.status).toBe(403);
    expect(emptyToken.text).toContain('did not come from this page');

    const { page: otherPage } = await authorize(browser, portal);
    const otherToken = otherPage.$('input[name="csrf"]').attr('value')!;
    const wrongToken = await browser.go(action, {
      method: 'POST',
      body: new URLSearchParams({ upstream: 'demo', csrf: otherToken }),
    });
    expect(wrongToken.status).toBe(403);

    const ownToken = page.$('input[name="csrf"]').attr('value')!;
    const crossOrigin = await browser.go(action, {
      method: 'POST',
      body: new URLSearchParams({ upstream: 'demo', csrf: ownToken }),
      headers: { origin: 'https://evil.test' },
    });
    expect(crossOrigin.status).toBe(403);
    expect(crossOrigin.text).toContain('sent from another site');
  });

  it('refuses forged posts to the picker and to cancel, and nothing changes', async () => {
    const browser = new Browser();
    const { page } = await authorize(browser, portal);
    const picker = await signInUpstream(browser, page, 'bob');
    const uid = new URL(picker.url).pathname.split('/')[2];
    for (const [path, fields] of [
      ['select', { profile: 'prf-bob-fabrikam' }],
      ['abort', {}],
    ] as const) {
      const forged = await browser.go(`${broker.issuer}/interaction/${uid}/${path}`, {
        method: 'POST',
        body: new URLSearchParams({ ...fields, csrf: 'forged' }),
        stopAt: [portal.redirectUri],
      });
      expect(forged.stopped).toBeUndefined();
      expect(forged.status).toBe(403);
    }
    // The interaction is untouched: the real form still works.
    const back = await browser.submit(
      picker,
      'form[action$="/select"]',
      { profile: 'prf-bob-fabrikam' },
      { stopAt: [portal.redirectUri] },
    );
    expect(back.stopped).toContain('code=');
  });
  it('refuse a form larger than the page could have sent, before anything else is looked at', async () => {
    // Every form the broker's pages post, with the limit its route reads up to: 16 KB inside a sign-in, 4 KB for an
    // emailed link. The interaction does not exist: an oversized body is refused before the interaction is read.
    const posts = [
      ['/interaction/no-such-interaction/upstream', 16],
      ['/interaction/no-such-interaction/select', 16],
      ['/interaction/no-such-interaction/abort', 16],
      ['/interaction/no-such-interaction/associate', 16],
      ['/interaction/no-such-interaction/associate/resend', 16],
      ['/interaction/no-such-interaction/associate/change', 16],
      ['/associate/continue', 4],
    ] as const;
    for (const [path, kilobytes] of posts) {
      const answer = await new Browser().go(`${broker.issuer}${path}`, {
        method: 'POST',
        body: new URLSearchParams({ csrf: 'x', filler: 'a'.repeat(kilobytes * 1024 + 1) }),
      });
      expect({ path, status: answer.status }).toEqual({ path, status: 413 });
      expect(answer.text).toContain('That was too much to send');
    }
  });
});

describe('cookies', () => {
  it('are HttpOnly and SameSite=Lax, and not Secure on the plain-http development issuer', async () => {
    const browser = new Browser();
    await signIn(browser, portal, 'alice');
    const broker_ = browser.setCookies.filter(
      (c) => /^(_session|_interaction|_interaction_resume|broker\.)/.test(c) && !/expires=Thu, 01 Jan 1970/i.test(c),
    );
    expect(broker_.length).toBeGreaterThanOrEqual(4);
    for (const cookie of broker_) {
      expect(cookie.toLowerCase()).toContain('httponly');
      expect(cookie.toLowerCase()).toContain('samesite=lax');
      expect(cookie.toLowerCase()).not.toMatch(/;\s*secure/);
    }
  });

  it('are not believed with a signature changed, made with another key, or moved to another value', async () => {
    const browser = new Browser();
    const { page } = await authorize(browser, portal);
    const interaction = await browser.cookie(page.url, '_interaction');
    const signature = await browser.cookie(page.url, '_interaction.sig');
    expect(interaction && signature).toBeTruthy();
    const path = `; Path=${interaction!.path}`;
    const other = createCookieSigner(['another-cookie-key-0123456789abcdefghij']);
    const forgeries = [
      { sig: `${signature!.value.slice(0, -2)}AA` },
      { sig: other.sign(`_interaction=${interaction!.value}`) },
      // A valid signature of another interaction's id: the signature covers the value.
      { value: 'another-interaction-id', sig: signature!.value },
    ];
    for (const forgery of forgeries) {
      const forged = new Browser();
      await forged.jar.setCookie(`_interaction=${forgery.value ?? interaction!.value}${path}`, page.url);
      await forged.jar.setCookie(`_interaction.sig=${forgery.sig}${path}`, page.url);
      const refused = await forged.go(page.url);
      expect(refused.status).toBe(400);
      expect(refused.$('form[action$="/upstream"]').length).toBe(0);
    }
    // The same cookies, untouched, still show the sign-in page.
    const honest = new Browser();
    await honest.jar.setCookie(`_interaction=${interaction!.value}${path}`, page.url);
    await honest.jar.setCookie(`_interaction.sig=${signature!.value}${path}`, page.url);
    const shown = await honest.go(page.url);
    expect(shown.status).toBe(200);
    expect(shown.$('form[action$="/upstream"]').length).toBeGreaterThan(0);
  });

  it('are Secure when the issuer is https, even with TLS ending at an untrusted proxy', async () => {
    const secure = await startBroker({}, { issuer: (port) => `https://localhost:${port}` });
    try {
      const response = await fetch(
        `http://127.0.0.1:${new URL(secure.issuer).port}/auth?client_id=test-portal&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://portal.example/cb')}&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256`,
        { redirect: 'manual' },
      );
      const cookies = response.headers.getSetCookie();
      expect(cookies.length).toBeGreaterThan(0);
      for (const cookie of cookies) expect(cookie.toLowerCase()).toContain('secure');
    } finally {
      await secure.close();
    }
  });
});

describe('forwarded headers without a trusted proxy', () => {
  it('do not change the issuer or the URLs the broker sends people to', async () => {
    const spoof = { 'x-forwarded-host': 'evil.test', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' };
    const discovery = await fetch(`${broker.issuer}/.well-known/openid-configuration`, { headers: spoof }).then(
      (r) => r.json() as Promise<Record<string, string>>,
    );
    expect(discovery.issuer).toBe(broker.issuer);
    expect(discovery.authorization_endpoint).toBe(`${broker.issuer}/auth`);
    const { url } = await portal.authorizationUrl();
    const response = await fetch(url, { headers: spoof, redirect: 'manual' });
    expect(new URL(response.headers.get('location')!, broker.issuer).origin).toBe(broker.issuer);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { startBroker, TEST_PORTAL, type TestBroker } from '../support/broker.ts';
import { createPortal, type Portal } from '../support/portal.ts';

const PUBLIC_CLIENT = {
  client_id: 'spa',
  token_endpoint_auth_method: 'none',
  redirect_uris: ['https://spa.example/cb'],
  grant_types: ['authorization_code'],
  response_types: ['code'],
};

let broker: TestBroker;
let portal: Portal;

beforeAll(async () => {
  broker = await startBroker({ clients: [TEST_PORTAL, PUBLIC_CLIENT] });
  portal = await createPortal(broker.issuer);
});
afterAll(() => broker.close());

/** Sends a raw authorization request and reports where, if anywhere, the broker sent the browser. */
async function rawAuthorize(query: string) {
  const response = await fetch(`${broker.issuer}/auth?${query}`, {
    redirect: 'manual',
    headers: { accept: 'text/html' },
  });
  return {
    status: response.status,
    location: response.headers.get('location'),
    body: await response.text(),
    headers: response.headers,
  };
}

const base = (overrides: Record<string, string> = {}) =>
  new URLSearchParams({
    client_id: 'test-portal',
    response_type: 'code',
    scope: 'openid',
    redirect_uri: 'https://portal.example/cb',
    state: 'st',
    nonce: 'n',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    ...overrides,
  }).toString();

describe('authorization requests and redirects', () => {
  it.each([
    'https://portal.example/cb/',
    'https://PORTAL.example/cb',
    'https://portal.example/CB',
    'https://portal.example/cb?x=1',
    'https://portal.example/cb#frag',
    'https://portal.example.evil.test/cb',
    'https://portal.example@evil.test/cb',
    'https://portal.example/cb/..;/',
    'https://portal.example/%2e%2e/cb',
    'http://portal.example/cb',
  ])('refuses redirect_uri %s with an error page at the broker and no redirect', async (redirectUri) => {
    const result = await rawAuthorize(base({ redirect_uri: redirectUri }));
    expect(result.status).toBe(400);
    expect(result.location).toBeNull();
    expect(result.body).toContain('This sign-in request cannot be completed');
    expect(result.body).not.toContain('code=');
  });

  it('refuses an unknown client_id with an error page and no redirect', async () => {
    const result = await rawAuthorize(base({ client_id: 'nobody' }));
    expect(result.status).toBe(400);
    expect(result.location).toBeNull();
    expect(result.body).toContain('invalid_client');
  });

  it('refuses duplicate parameters with invalid_request at the registered redirect URI', async () => {
    const result = await rawAuthorize(`${base()}&scope=openid%20email`);
    expect(result.status).toBe(303);
    const redirect = new URL(result.location!);
    expect(redirect.origin + redirect.pathname).toBe('https://portal.example/cb');
    expect(redirect.searchParams.get('error')).toBe('invalid_request');
    expect(redirect.searchParams.get('code')).toBeNull();
  });

  it.each([
    ['an 8 KB state', () => base({ state: 'x'.repeat(8192) })],
    ['NUL bytes', () => `${base()}&login_hint=a%00b`],
    ['invalid UTF-8', () => `${base()}&login_hint=%C3%28%FF`],
    ['an absurdly long query', () => `${base()}&junk=${'y'.repeat(60_000)}`],
  ])('answers %s with a 4xx or a redirect, never a 500, and reflects nothing unescaped', async (_name, query) => {
    const result = await rawAuthorize(
      `${query()}&ui_locales=%3Cscript%3Ealert(1)%3C/script%3E&login_hint=%3Cscript%3Ealert(1)%3C/script%3E`,
    );
    expect(result.status).toBeLessThan(500);
    expect(result.body).not.toContain('<script>alert(1)</script>');
  });

  it('never echoes markup from the request into its error page', async () => {
    const result = await rawAuthorize(base({ client_id: '<img src=x onerror=alert(1)>' }));
    expect(result.status).toBe(400);
    expect(result.body).not.toContain('<img src=x');
  });

  it('ignores return/next style parameters: the broker only ever redirects to registered URIs', async () => {
    const browser = new Browser();
    const { url } = await portal.authorizationUrl({
      return_to: '//evil.test',
      next: '/\\evil.test',
      redirect: 'https://evil.test/',
    });
    const page = await browser.go(url, { stopAt: ['https://evil.test', '//evil.test'] });
    expect(page.stopped).toBeUndefined();
    expect(page.url).toContain('/interaction/');
    expect(page.html).not.toContain('evil.test');
  });

  it('answers a malformed interaction URL with a readable page, not a stack trace', async () => {
    const page = await new Browser().go(`${broker.issuer}/interaction/%E0%A4%A`);
    expect(page.status).toBe(400);
    expect(page.text).not.toMatch(/at \w+ \(|node_modules|URIError/);
  });

  it('answers an unknown interaction with "expired" rather than an error dump', async () => {
    const page = await new Browser().go(`${broker.issuer}/interaction/does-not-exist`);
    expect(page.status).toBe(400);
    expect(page.text).toContain('This sign-in has expired or was already finished');
  });
});

describe('PKCE is required for every client', () => {
  it("refuses a confidential client's request without code_challenge", async () => {
    const query = new URLSearchParams(base());
    query.delete('code_challenge');
    query.delete('code_challenge_method');
    const result = await rawAuthorize(query.toString());
    const error = new URL(result.location!).searchParams;
    expect(error.get('error')).toBe('invalid_request');
    expect(error.get('error_description')).toContain('requires PKCE');
  });

  it("refuses a public client's request without code_challenge", async () => {
    const query = new URLSearchParams(base({ client_id: 'spa', redirect_uri: 'https://spa.example/cb' }));
    query.delete('code_challenge');
    query.delete('code_challenge_method');
    const result = await rawAuthorize(query.toString());
    expect(new URL(result.location!).searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses the plain method', async () => {
    const result = await rawAuthorize(base({ code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }));
    expect(new URL(result.location!).searchParams.get('error')).toBe('invalid_request');
  });
});

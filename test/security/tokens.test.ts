import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { basicAuth, startBroker, TEST_PORTAL, type TestBroker } from '../support/broker.ts';
import { authorize, signIn, signInUpstream } from '../support/flows.ts';
import { createPortal, type Portal } from '../support/portal.ts';

const OTHER = {
  ...TEST_PORTAL,
  client_id: 'other-portal',
  client_secret: 'other-portal-secret-0123456789',
  redirect_uris: ['https://other.example/cb'],
  post_logout_redirect_uris: [],
};

let broker: TestBroker;
let portal: Portal;

beforeAll(async () => {
  broker = await startBroker({ clients: [TEST_PORTAL, OTHER] });
  portal = await createPortal(broker.issuer);
});
afterAll(() => broker.close());

/** A fresh authorization code for Alice, not yet redeemed. */
async function freshCode(parameters: Record<string, string> = {}) {
  const browser = new Browser();
  const { page, checks } = await authorize(browser, portal, parameters);
  const back = await signInUpstream(browser, page, 'alice', { stopAt: [portal.redirectUri] });
  return { callback: back.stopped!, code: new URL(back.stopped!).searchParams.get('code')!, checks };
}

/** Posts to the token endpoint directly, as an attacker holding a code would. */
async function tokenRequest(
  body: Record<string, string>,
  auth: { id: string; secret: string } | null = { id: TEST_PORTAL.client_id, secret: TEST_PORTAL.client_secret },
  extraHeaders: Record<string, string> = {},
) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', ...extraHeaders };
  if (auth) headers.authorization = basicAuth(auth.id, auth.secret);
  const response = await fetch(`${broker.issuer}/token`, { method: 'POST', headers, body: new URLSearchParams(body) });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

describe('codes', () => {
  it('refuses a wrong PKCE verifier', async () => {
    const { code } = await freshCode();
    const result = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: portal.redirectUri,
      code_verifier: 'x'.repeat(43),
    });
    expect(result).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it.each([
    ['too short', 'a'.repeat(42)],
    ['too long', 'a'.repeat(129)],
    ['missing', undefined],
  ])('refuses a verifier that is %s', async (_name, verifier) => {
    const { code } = await freshCode();
    const body: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: portal.redirectUri };
    if (verifier) body.code_verifier = verifier;
    const result = await tokenRequest(body);
    expect(result.status).toBe(400);
    expect(['invalid_grant', 'invalid_request']).toContain(result.body.error);
  });

  it('refuses a replayed code and revokes the tokens of its first redemption', async () => {
    const { callback, checks } = await freshCode();
    const first = await portal.redeem(callback, checks);
    await expect(portal.redeem(callback, checks)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(portal.userinfo(first.access_token, first.claims()!.sub)).rejects.toBeDefined();
    await expect(portal.refresh(first.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('gives exactly one success for twenty parallel redemptions of one code', async () => {
    const { code, checks } = await freshCode();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        tokenRequest({
          grant_type: 'authorization_code',
          code,
          redirect_uri: portal.redirectUri,
          code_verifier: checks.codeVerifier,
        }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.body.error === 'invalid_grant')).toHaveLength(19);
  });

  it('refuses a code redeemed by another client', async () => {
    const { code, checks } = await freshCode();
    const result = await tokenRequest(
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'https://other.example/cb',
        code_verifier: checks.codeVerifier,
      },
      { id: OTHER.client_id, secret: OTHER.client_secret },
    );
    expect(result.body.error).toBe('invalid_grant');
  });

  it('refuses a code redeemed with another redirect_uri', async () => {
    const { code, checks } = await freshCode();
    const result = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'https://portal.example/cb2',
      code_verifier: checks.codeVerifier,
    });
    expect(result.body.error).toBe('invalid_grant');
  });
});

describe('refresh tokens', () => {
  it('revokes the grant when a rotated refresh token is used again', async () => {
    const { tokens } = await signIn(new Browser(), portal, 'alice');
    const rotated = await portal.refresh(tokens.refresh_token!);
    await expect(portal.refresh(tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(portal.refresh(rotated.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a refresh token presented by another client', async () => {
    const { tokens } = await signIn(new Browser(), portal, 'alice');
    const result = await tokenRequest(
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! },
      { id: OTHER.client_id, secret: OTHER.client_secret },
    );
    expect(result.body.error).toBe('invalid_grant');
  });
});

describe('client authentication', () => {
  it('refuses a wrong secret', async () => {
    const { code, checks } = await freshCode();
    const result = await tokenRequest(
      { grant_type: 'authorization_code', code, redirect_uri: portal.redirectUri, code_verifier: checks.codeVerifier },
      { id: TEST_PORTAL.client_id, secret: 'wrong' },
    );
    expect(result).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('refuses no authentication', async () => {
    const { code, checks } = await freshCode();
    const result = await tokenRequest(
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: portal.redirectUri,
        code_verifier: checks.codeVerifier,
        client_id: TEST_PORTAL.client_id,
      },
      null,
    );
    expect(result).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('refuses two authentication methods at once', async () => {
    const { code, checks } = await freshCode();
    const result = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: portal.redirectUri,
      code_verifier: checks.codeVerifier,
      client_id: TEST_PORTAL.client_id,
      client_secret: TEST_PORTAL.client_secret,
    });
    expect(result.status).toBeGreaterThanOrEqual(400);
    expect(['invalid_client', 'invalid_request']).toContain(result.body.error);
  });
});

describe('introspection and disabled clients', () => {
  const introspect = async (token: string, as: { id: string; secret: string }) => {
    const response = await fetch(`${broker.issuer}/token/introspection`, {
      method: 'POST',
      headers: { authorization: basicAuth(as.id, as.secret) },
      body: new URLSearchParams({ token }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const self = { id: TEST_PORTAL.client_id, secret: TEST_PORTAL.client_secret };
  const other = { id: OTHER.client_id, secret: OTHER.client_secret };

  it('tells a portal about its own tokens only', async () => {
    const { tokens } = await signIn(new Browser(), portal, 'alice');
    expect(await introspect(tokens.access_token, self)).toMatchObject({
      status: 200,
      body: { active: true, sub: 'prf-alice-contoso', client_id: TEST_PORTAL.client_id },
    });
    expect(await introspect(tokens.access_token, other)).toEqual({ status: 200, body: { active: false } });
    expect(await introspect(tokens.refresh_token!, other)).toEqual({ status: 200, body: { active: false } });
  });

  it("stops a disabled client's tokens at once: refresh, userinfo and introspection by another portal (no 500)", async () => {
    const { tokens } = await signIn(new Browser(), portal, 'alice');
    const stored = (await broker.services.clients.find(TEST_PORTAL.client_id))!;
    await broker.services.clients.save({ ...stored, status: 'disabled' });
    try {
      expect(await introspect(tokens.access_token, other)).toEqual({ status: 200, body: { active: false } });
      expect(
        (await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! })).body.error,
      ).toBe('invalid_client');
      const userinfo = await fetch(`${broker.issuer}/me`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      expect(userinfo.status).toBe(401);
    } finally {
      await broker.services.clients.save({ ...stored, status: 'active' });
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { startBroker, TEST_PORTAL, type TestBroker } from '../support/broker.ts';
import { authorize, signIn, confirmSignOut } from '../support/flows.ts';
import { createPortal, type Portal } from '../support/portal.ts';

/** What a relying party such as authlib asks for, and sends again when it refreshes. */
const OFFLINE_SCOPE = 'openid email profile org_profile offline_access';
const NO_REFRESH = {
  ...TEST_PORTAL,
  client_id: 'no-refresh',
  redirect_uris: ['https://no-refresh.example/cb'],
  post_logout_redirect_uris: [],
  grant_types: ['authorization_code'],
};

let broker: TestBroker;
let portal: Portal;

beforeAll(async () => {
  broker = await startBroker({ clients: [TEST_PORTAL, NO_REFRESH] });
  portal = await createPortal(broker.issuer);
});
afterAll(() => broker.close());

const scopesOf = (response: { scope?: string }) => (response.scope ?? '').split(' ');

describe('offline_access', () => {
  it("is granted when the portal asks for it, and a refresh with the scope it asked for works (authlib's default)", async () => {
    const { tokens, claims } = await signIn(new Browser(), portal, 'alice', { parameters: { scope: OFFLINE_SCOPE } });
    expect(scopesOf(tokens)).toContain('offline_access');
    expect(tokens.refresh_token).toEqual(expect.any(String));

    const refreshed = await portal.refresh(tokens.refresh_token!, { scope: OFFLINE_SCOPE });
    expect(scopesOf(refreshed)).toContain('offline_access');
    expect(refreshed.claims()).toMatchObject({ sub: claims.sub, org_name: 'Contoso Pharmaceuticals' });
    expect(await portal.refresh(refreshed.refresh_token!, { scope: OFFLINE_SCOPE })).toMatchObject({
      scope: expect.stringContaining('offline_access'),
    });
  });

  it('is granted in a silent sign-in within the broker session and in a pushed authorization request too', async () => {
    const browser = new Browser();
    await signIn(browser, portal, 'alice');
    const silent = await authorize(browser, portal, { scope: OFFLINE_SCOPE, prompt: 'none' });
    expect(scopesOf(await portal.redeem(silent.page.stopped!, silent.checks))).toContain('offline_access');

    const { tokens } = await signIn(new Browser(), portal, 'alice', {
      pushed: true,
      parameters: { scope: OFFLINE_SCOPE },
    });
    expect(scopesOf(tokens)).toContain('offline_access');
  });

  it('is not granted unless asked for: those refresh tokens end with the session, and cannot refresh into offline access', async () => {
    const { tokens } = await signIn(new Browser(), portal, 'alice');
    expect(scopesOf(tokens)).not.toContain('offline_access');
    await expect(portal.refresh(tokens.refresh_token!, { scope: OFFLINE_SCOPE })).rejects.toMatchObject({
      error: 'invalid_scope',
    });
  });

  it("lets an offline refresh token outlive sign-out at the broker, as offline access means, while the session's others end", async () => {
    const browser = new Browser();
    const { tokens } = await signIn(browser, portal, 'alice', { parameters: { scope: OFFLINE_SCOPE } });
    const silent = await authorize(browser, portal, { prompt: 'none' });
    const online = await portal.redeem(silent.page.stopped!, silent.checks);
    const confirm = await browser.go(
      portal.endSessionUrl({
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: 'https://portal.example/signed-out',
      }),
    );
    const done = await confirmSignOut(browser, confirm, ['https://portal.example/']);
    expect(done.stopped).toBe('https://portal.example/signed-out');

    expect(scopesOf(await portal.refresh(tokens.refresh_token!, { scope: OFFLINE_SCOPE }))).toContain('offline_access');
    await expect(portal.refresh(online.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('is not granted to a portal that may not refresh: no offline_access and no refresh token', async () => {
    const noRefresh = await createPortal(broker.issuer, NO_REFRESH);
    const { tokens } = await signIn(new Browser(), noRefresh, 'alice', { parameters: { scope: OFFLINE_SCOPE } });
    expect(scopesOf(tokens)).not.toContain('offline_access');
    expect(tokens.refresh_token).toBeUndefined();
  });
});

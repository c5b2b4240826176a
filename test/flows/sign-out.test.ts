import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { Browser, type Page } from '../support/browser.ts';
import { startBroker, TEST_PORTAL, type TestBroker } from '../support/broker.ts';
import { authorize, signIn } from '../support/flows.ts';
import { adminApi } from '../support/admin-api.ts';
import { startLogoutReceiver, verifyLogoutToken, type LogoutReceiver } from '../support/logout-receiver.ts';
import { createPortal, type Portal } from '../support/portal.ts';
import { waitUntil } from '../support/wait.ts';

const SIGNED_OUT = 'https://portal.example/signed-out';
const ROOT = { id: 'root-admin', secret: 'root-admin-secret-0123456789abcdef' };
const FAST_RETRY = { backchannelLogout: { retry: { attempts: 100, baseDelayMs: 20, maxDelayMs: 200 } } };

/** Starts RP-initiated logout at the broker for `idToken` and answers "Yes, sign me out". */
async function signOut(browser: Browser, portal: Portal, idToken: string): Promise<Page & { stopped?: string }> {
  const confirm = await browser.go(
    portal.endSessionUrl({ id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT, state: 'bye' }),
  );
  expect(confirm.$('h1').text()).toBe('Sign out');
  return browser.submit(
    confirm,
    'form#op\\.logoutForm',
    {},
    { submitter: 'button[value="yes"]', stopAt: ['https://portal.example/'] },
  );
}

/** A new sign-in at the portal, up to the upstream's answer: its password form, or straight back to the portal. */
const upstreamAsksPassword = async (browser: Browser, portal: Portal) => {
  const { page: signInPage } = await authorize(browser, portal);
  if (signInPage.stopped) throw new Error('the broker session is still there');
  const upstream = await browser.submit(
    signInPage,
    'form[action$="/upstream"]',
    {},
    { submitter: 'button[value="demo"]', stopAt: [portal.redirectUri] },
  );
  return { url: upstream.url, stopped: upstream.stopped, asked: upstream.$('input[name="password"]').length === 1 };
};

describe('sign-out with an upstream that offers RP-initiated logout', () => {
  let broker: TestBroker;
  let portal: Portal;
  let receiver: LogoutReceiver;

  beforeAll(async () => {
    receiver = await startLogoutReceiver();
    broker = await startBroker({
      admin: { clientId: ROOT.id, clientSecret: ROOT.secret },
      clients: [{ ...TEST_PORTAL, backchannel_logout_uri: receiver.url }],
      ...FAST_RETRY,
    });
    portal = await createPortal(broker.issuer);
  });
  afterAll(async () => {
    await broker.close();
    await receiver.close();
  });

  it('ends the upstream session too, tells the portal by back-channel, and the next sign-in asks for the password', async () => {
    const browser = new Browser();
    const { tokens, claims } = await signIn(browser, portal, 'alice', { remember: true });
    expect(claims.sid).toEqual(expect.any(String));

    const atUpstream = await signOut(browser, portal, tokens.id_token!);
    expect(atUpstream.url).toContain('/dev-upstream/session/end');
    expect(new URL(atUpstream.url).searchParams.get('id_token_hint')).toEqual(expect.any(String));
    const back = await browser.submit(
      atUpstream,
      'form#op\\.logoutForm',
      {},
      { submitter: 'button[value="yes"]', stopAt: ['https://portal.example/'] },
    );
    expect(back.stopped).toBe(`${SIGNED_OUT}?state=bye`);

    const next = await upstreamAsksPassword(browser, portal);
    expect(next.asked).toBe(true);
    expect(next.url).toContain('/dev-upstream/interaction/');
    // Nor does the browser keep which profile was chosen last.
    expect(await browser.cookie(`${broker.issuer}/interaction`, 'broker.last_profile')).toBeUndefined();

    await waitUntil(() => receiver.received.length > 0, 10_000, 'logout token received');
    const logout = await verifyLogoutToken(receiver.received[0]!, broker.issuer, TEST_PORTAL.client_id);
    expect(logout).toMatchObject({ sub: claims.sub, sid: claims.sid });

    const ended = await broker.services.audit.query({
      action: 'session.ended',
      profileId: String(claims.sub),
      limit: 5,
    });
    expect(ended[0]?.details).toMatchObject({ reason: 'signed_out', upstream: 'demo' });
    const signedIn = await broker.services.audit.query({ action: 'sign_in.succeeded', limit: 10 });
    expect(signedIn.some((e) => e.details?.session === ended[0]?.details?.session)).toBe(true);
  });

  it('asks the upstream again even when the person leaves the upstream sign-out half way', async () => {
    const browser = new Browser();
    const { tokens } = await signIn(browser, portal, 'alice', { remember: true });
    const atUpstream = await signOut(browser, portal, tokens.id_token!);
    expect(atUpstream.url).toContain('/dev-upstream/session/end');
    // The person closes the tab here; the upstream session lives on, but the broker asks for a fresh login.
    const next = await upstreamAsksPassword(browser, portal);
    expect(next.asked).toBe(true);
    expect(next.url).toContain('/dev-upstream/interaction/');
  });

  it('keeps the upstream sign-in when the person switches profile (no sign-out)', async () => {
    const browser = new Browser();
    await signIn(browser, portal, 'bob', { pick: 'prf-bob-contoso' });
    const { page: picker } = await authorize(browser, portal, { prompt: 'select_account' });
    const switched = await browser.submit(
      picker,
      'form[action$="/select"]',
      { profile: 'prf-bob-fabrikam' },
      {
        stopAt: [portal.redirectUri],
      },
    );
    expect(switched.stopped).toContain('code=');
    const ended = await broker.services.audit.query({
      action: 'session.ended',
      profileId: 'prf-bob-contoso',
      limit: 5,
    });
    expect(ended[0]?.details).toMatchObject({ reason: 'profile_switched' });
    // Not a sign-out: the upstream is left alone and the next sign-in is not forced.
    expect(browser.requests.some((r) => r.includes('/dev-upstream/session/end'))).toBe(false);
    expect(await browser.cookie(broker.issuer, 'broker.signed_out')).toBeUndefined();
  });

  it("is not taken for a profile switch when a portal's post-logout URI looks like the broker's resume", async () => {
    const admin = adminApi(broker.issuer, ROOT);
    const lookalike = `${broker.issuer}/auth/lookalike`;
    const registered = await admin.call('POST', '/clients', await admin.token('admin:clients'), {
      client_name: 'Look-alike portal',
      redirect_uris: ['https://lookalike.example/cb'],
      post_logout_redirect_uris: [lookalike],
      grant_types: ['authorization_code'],
    });
    expect(registered.status).toBe(201);
    const { client, client_secret } = registered.body as { client: { client_id: string }; client_secret: string };
    const other = await createPortal(broker.issuer, {
      client_id: client.client_id,
      client_secret,
      redirect_uris: ['https://lookalike.example/cb'],
    });
    const browser = new Browser();
    const { tokens } = await signIn(browser, other, 'alice');
    const confirm = await browser.go(
      other.endSessionUrl({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: lookalike }),
    );
    const next = await browser.submit(
      confirm,
      'form#op\\.logoutForm',
      {},
      { submitter: 'button[value="yes"]', stopAt: [lookalike] },
    );
    // A real sign-out: on to the upstream, and the next sign-in is forced.
    expect(next.url).toContain('/dev-upstream/session/end');
    expect(await browser.cookie(broker.issuer, 'broker.signed_out')).toBeDefined();
  });

  it('delivers the logout token to a portal that was down once it is back', async () => {
    const browser = new Browser();
    const { tokens, claims } = await signIn(browser, portal, 'alice');
    await receiver.stop();
    const before = receiver.received.length;
    await signOut(browser, portal, tokens.id_token!);
    await waitUntil(
      () => broker.logs.some((l) => l.event === 'backchannel.retry'),
      10_000,
      'a failed attempt while the portal is down',
    );
    await receiver.start();
    await waitUntil(() => receiver.received.length > before, 15_000, 'logout token after the portal came back');
    const logout = await verifyLogoutToken(receiver.received.at(-1)!, broker.issuer, TEST_PORTAL.client_id);
    expect(logout.sid).toBe(claims.sid);
    expect(decodeJwt(receiver.received.at(-1)!).nonce).toBeUndefined();
  });
});

describe('sign-out with an upstream that has no end-session endpoint', () => {
  let broker: TestBroker;
  let portal: Portal;

  beforeAll(async () => {
    broker = await startBroker({ demo: { upstreamEndSession: false } });
    portal = await createPortal(broker.issuer);
  });
  afterAll(() => broker.close());

  it('says plainly that the person is still signed in upstream, and forces a fresh upstream login next time', async () => {
    const browser = new Browser();
    const { tokens } = await signIn(browser, portal, 'alice', { remember: true });
    const page = await signOut(browser, portal, tokens.id_token!);
    expect(page.stopped).toBeUndefined();
    expect(page.text).toContain('You are still signed in to Demo consumer account');
    expect(page.text).toContain('asked for the password again');
    expect(page.$('a.button').attr('href')).toBe(`${SIGNED_OUT}?state=bye`);

    const next = await upstreamAsksPassword(browser, portal);
    expect(next.asked).toBe(true);
    expect(
      new URL(
        browser.requests
          .filter((r) => r.includes('/dev-upstream/auth'))
          .at(-1)!
          .split(' ')[1]!,
      ).searchParams.get('prompt'),
    ).toBe('login');
    // Once the person signed in upstream again, the next sign-in is not forced any more.
    expect(await browser.cookie(broker.issuer, 'broker.signed_out')).toBeDefined();
    const back = await browser.submit(
      await browser.go(next.url),
      'form[action$="/login"]',
      { username: 'alice', password: 'demo' },
      { stopAt: [portal.redirectUri] },
    );
    expect(back.stopped).toContain('code=');
    expect(await browser.cookie(broker.issuer, 'broker.signed_out')).toBeUndefined();
  });
});

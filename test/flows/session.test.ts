import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { authorize, pickProfile, signIn, signInUpstream, submitUpstreamLogin } from '../support/flows.ts';
import { createPortal, type Portal } from '../support/portal.ts';

let broker: TestBroker;
let portal: Portal;

beforeAll(async () => {
  broker = await startBroker();
  portal = await createPortal(broker.issuer);
});
afterAll(() => broker.close());

const upstreamVisits = (browser: Browser) =>
  browser.requests.filter((r) => r.includes('/dev-upstream/interaction/')).length;

describe('broker session', () => {
  it('switches profile with prompt=select_account without another upstream sign-in', async () => {
    const browser = new Browser();
    const first = await signIn(browser, portal, 'bob', { pick: 'prf-bob-contoso' });
    expect(first.claims.sub).toBe('prf-bob-contoso');
    const visitsBefore = upstreamVisits(browser);

    const { page: picker, checks } = await authorize(browser, portal, { prompt: 'select_account' });
    expect(picker.$('h1').text()).toBe('Choose a profile');
    expect(picker.$('input[name="profile"][checked]').attr('value')).toBe('prf-bob-contoso');
    const back = await pickProfile(browser, picker, 'prf-bob-fabrikam', [portal.redirectUri]);
    const tokens = await portal.redeem(back.stopped!, checks);
    expect(tokens.claims()).toMatchObject({ sub: 'prf-bob-fabrikam', org_name: 'Fabrikam Consulting' });
    expect(upstreamVisits(browser)).toBe(visitsBefore);

    // The session now carries the new profile: a silent request gets it too.
    const silent = await authorize(browser, portal, { prompt: 'none' });
    expect((await portal.redeem(silent.page.stopped!, silent.checks)).claims()!.sub).toBe('prf-bob-fabrikam');
  });

  it('shows the picker on prompt=select_account even for a single profile, so the person can confirm or change account', async () => {
    const browser = new Browser();
    await signIn(browser, portal, 'alice');
    const { page } = await authorize(browser, portal, { prompt: 'select_account' });
    expect(page.$('h1').text()).toBe('Choose a profile');
    expect(page.$('input[name="profile"]').length).toBe(1);
    expect(page.$('form[action$="/upstream"] input[name="force"]').attr('value')).toBe('yes');
  });

  it('keeps an unremembered session only for the browser session', async () => {
    const browser = new Browser();
    await signIn(browser, portal, 'alice', { remember: false });
    const session = await browser.cookie(broker.issuer, '_session');
    expect(session).toBeDefined();
    expect(session!.expires).toBe('Infinity');
  });

  it('keeps a "Sign me in automatically" session across browser restarts, for the configured lifetime', async () => {
    const browser = new Browser();
    const before = Date.now();
    await signIn(browser, portal, 'alice', { remember: true });
    const session = await browser.cookie(broker.issuer, '_session');
    expect(session!.expires).toBeInstanceOf(Date);
    const lifetime = (session!.expires as Date).getTime() - before;
    expect(lifetime).toBeGreaterThan(13 * 24 * 3600 * 1000);
    expect(lifetime).toBeLessThanOrEqual(14 * 24 * 3600 * 1000 + 5000);
  });

  it('shows the "Sign me in automatically" checkbox unchecked, with the shared-computer warning', async () => {
    const { page } = await authorize(new Browser(), portal);
    const box = page.$('input#remember');
    expect(box.attr('type')).toBe('checkbox');
    expect(box.attr('checked')).toBeUndefined();
    expect(page.$('label[for="remember"]').text()).toBe('Sign me in automatically');
    expect(page.text).toContain('Use this only on a computer nobody else uses');
    // Described to screen readers by its warning, and met before the sign-in buttons.
    expect(page.$(`#${box.attr('aria-describedby')}`).text()).toContain('Use this only on a computer nobody else uses');
    const order = page.$('form[action$="/upstream"] input#remember, form[action$="/upstream"] button[name="upstream"]');
    expect(order.first().attr('id')).toBe('remember');
  });

  it('keeps the remember choice when switching profile', async () => {
    const browser = new Browser();
    await signIn(browser, portal, 'bob', { pick: 'prf-bob-contoso', remember: true });
    const { page: picker } = await authorize(browser, portal, { prompt: 'select_account' });
    await pickProfile(browser, picker, 'prf-bob-fabrikam', [portal.redirectUri]);
    expect((await browser.cookie(broker.issuer, '_session'))!.expires).toBeInstanceOf(Date);
  });

  it('rotates the session id at login', async () => {
    const browser = new Browser();
    await signIn(browser, portal, 'alice');
    const before = (await browser.cookie(broker.issuer, '_session'))!.value;
    await signIn(browser, portal, 'alice', { parameters: { prompt: 'login' } });
    const after = (await browser.cookie(broker.issuer, '_session'))!.value;
    expect(after).not.toBe(before);
  });

  it('does not let a picked profile stand in for the fresh sign-in prompt=login or max_age asks for', async () => {
    const browser = new Browser();
    await signIn(browser, portal, 'bob', { pick: 'prf-bob-contoso' });
    for (const parameters of [{ prompt: 'login' }, { prompt: 'select_account', max_age: '0' }] as Record<
      string,
      string
    >[]) {
      const { page } = await authorize(browser, portal, parameters);
      expect(page.$('h1').text()).toBe('Sign in to Test portal');
      // A hand-made post to the picker with this page's own form token is refused as well.
      const uid = new URL(page.url).pathname.split('/')[2];
      const forced = await browser.go(`${broker.issuer}/interaction/${uid}/select`, {
        method: 'POST',
        body: new URLSearchParams({ csrf: page.$('input[name="csrf"]').attr('value')!, profile: 'prf-bob-fabrikam' }),
        stopAt: [portal.redirectUri],
      });
      expect(forced.stopped).toBeUndefined();
      expect(forced.status).toBe(400);
      expect(forced.text).toContain('Sign in first');
    }
  });

  it('asks the upstream for a fresh sign-in when the portal sends prompt=login', async () => {
    const browser = new Browser();
    await signIn(browser, portal, 'alice');
    const { page } = await authorize(browser, portal, { prompt: 'login' });
    const upstreamLogin = await browser.submit(
      page,
      'form[action$="/upstream"]',
      {},
      { submitter: 'button[value="demo"]' },
    );
    expect(upstreamLogin.url).toContain('/dev-upstream/interaction/');
    expect(upstreamLogin.text).toContain('You are asked to sign in again');
    const back = await submitUpstreamLogin(browser, upstreamLogin, 'alice', [portal.redirectUri]);
    expect(back.stopped).toContain('code=');
  });

  it('ends the broker session at RP-initiated logout and returns to the registered post-logout URI, via the upstream', async () => {
    const browser = new Browser();
    const { tokens } = await signIn(browser, portal, 'alice');
    const confirm = await browser.go(
      portal.endSessionUrl({
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: 'https://portal.example/signed-out',
        state: 'bye',
      }),
    );
    expect(confirm.$('h1').text()).toBe('Sign out');
    const done = await browser.submit(
      confirm,
      'form#op\\.logoutForm',
      {},
      { submitter: 'button[value="yes"]', stopAt: ['https://portal.example/'] },
    );
    // The broker goes on to end the upstream session (test/flows/sign-out.test.ts), then back to the portal.
    expect(done.url).toContain('/dev-upstream/session/end');
    const back = await browser.submit(
      done,
      'form#op\\.logoutForm',
      {},
      { submitter: 'button[value="yes"]', stopAt: ['https://portal.example/'] },
    );
    expect(back.stopped).toBe('https://portal.example/signed-out?state=bye');

    const { page } = await authorize(browser, portal, { prompt: 'none' });
    expect(new URL(page.stopped!).searchParams.get('error')).toBe('login_required');
    // Tokens bound to the ended session stop refreshing.
    await expect(portal.refresh(tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a post-logout URI the portal did not register', async () => {
    const browser = new Browser();
    const { tokens } = await signIn(browser, portal, 'alice');
    const page = await browser.go(
      portal.endSessionUrl({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://evil.example/' }),
      { stopAt: ['https://evil.example'] },
    );
    expect(page.stopped).toBeUndefined();
    expect(page.status).toBe(400);
  });

  it('answers prompt=none without a session with login_required at the registered redirect URI', async () => {
    const { page, checks } = await authorize(new Browser(), portal, { prompt: 'none' });
    const redirect = new URL(page.stopped!);
    expect(redirect.origin + redirect.pathname).toBe('https://portal.example/cb');
    expect(redirect.searchParams.get('error')).toBe('login_required');
    expect(redirect.searchParams.get('state')).toBe(checks.state);
  });

  it("returns access_denied with the portal's state when the person cancels at the broker", async () => {
    const browser = new Browser();
    const { page, checks } = await authorize(browser, portal);
    const back = await browser.submit(page, 'form[action$="/abort"]', {}, { stopAt: [portal.redirectUri] });
    const redirect = new URL(back.stopped!);
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('state')).toBe(checks.state);
  });

  it("returns access_denied with the portal's state when the person cancels at the upstream", async () => {
    const browser = new Browser();
    const { page, checks } = await authorize(browser, portal);
    const upstreamLogin = await browser.submit(
      page,
      'form[action$="/upstream"]',
      {},
      { submitter: 'button[value="demo"]' },
    );
    const back = await browser.submit(upstreamLogin, 'form[action$="/abort"]', {}, { stopAt: [portal.redirectUri] });
    const redirect = new URL(back.stopped!);
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('state')).toBe(checks.state);
  });

  it('lets a person who signed in with the wrong account use another one', async () => {
    const browser = new Browser();
    const { page, checks } = await authorize(browser, portal);
    const notYet = await signInUpstream(browser, page, 'dave');
    expect(notYet.$('h1').text()).toBe('Enter your registered email address');
    const upstreamLogin = await browser.submit(
      notYet,
      'form[action$="/upstream"]',
      {},
      { submitter: 'button[value="demo"]' },
    );
    const back = await submitUpstreamLogin(browser, upstreamLogin, 'alice', [portal.redirectUri]);
    expect((await portal.redeem(back.stopped!, checks)).claims()!.sub).toBe('prf-alice-contoso');
  });
});

describe('discovery', () => {
  it('advertises only S256 PKCE, the code flow and the org_profile scope with its claims', async () => {
    const metadata = portal.config.serverMetadata();
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(metadata.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'email', 'profile', 'org_profile', 'offline_access']),
    );
    expect(metadata.claims_supported).toEqual(
      expect.arrayContaining([
        'profile_id',
        'profile_kind',
        'profile_role',
        'profile_email',
        'org_id',
        'org_name',
        'org_account_number',
      ]),
    );
    expect(metadata.end_session_endpoint).toBe(`${broker.issuer}/session/end`);
    expect(metadata.userinfo_endpoint).toBe(`${broker.issuer}/me`);
  });

  it('advertises no admin scope: no portal can be granted one', () => {
    expect([...portal.config.serverMetadata().scopes_supported!].sort()).toEqual([
      'account',
      'email',
      'offline_access',
      'openid',
      'org_profile',
      'profile',
    ]);
  });

  it('advertises only claims a portal actually receives', async () => {
    const metadata = portal.config.serverMetadata();
    // Every advertised claim shows up in the ID token or at userinfo of a sign-in asking for every scope
    // (max_age brings auth_time).
    const { tokens, claims } = await signIn(new Browser(), portal, 'alice', {
      parameters: { scope: 'openid email profile org_profile', max_age: '3600' },
    });
    const received = new Set([
      ...Object.keys(claims),
      ...Object.keys(await portal.userinfo(tokens.access_token, claims.sub)),
    ]);
    expect(metadata.claims_supported!.filter((claim) => !received.has(claim))).toEqual([]);
  });
});

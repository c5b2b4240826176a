import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { Browser } from '../support/browser.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { authorize, pickProfile, signIn, signInUpstream } from '../support/flows.ts';
import { createPortal, type Portal } from '../support/portal.ts';

let broker: TestBroker;
let portal: Portal;

beforeAll(async () => {
  broker = await startBroker();
  portal = await createPortal(broker.issuer);
});
afterAll(() => broker.close());

/** Alice's profile claims under the token contract (docs/architecture.md §3), with openid email profile org_profile. */
const ALICE = {
  sub: 'prf-alice-contoso',
  profile_id: 'prf-alice-contoso',
  profile_kind: 'customer',
  profile_role: 'administrator',
  profile_email: 'alice.andersen@contoso.example',
  org_id: 'org-contoso',
  org_name: 'Contoso Pharmaceuticals',
  org_account_number: 'C-104233',
  email: 'alice.andersen@contoso.example',
  email_verified: true,
  name: 'Alice Andersen',
};

describe('returning sign-in', () => {
  it('signs a person with one associated profile straight in, with the token contract in the ID token', async () => {
    const { claims, tokens } = await signIn(new Browser(), portal, 'alice');
    expect(claims).toMatchObject({
      ...ALICE,
      iss: broker.issuer,
      aud: 'test-portal',
      amr: ['fed'],
      acr: 'urn:profile-broker:federated',
    });
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  it('goes from the upstream callback straight back to the portal with a code when one profile is admitted', async () => {
    const browser = new Browser();
    const { page, checks } = await authorize(browser, portal);
    const back = await signInUpstream(browser, page, 'alice', { stopAt: [portal.redirectUri] });
    expect(back.stopped).toBeDefined();
    // No page of the broker in between: the callback sends the browser to oidc-provider's resume address, which sends
    // it on to the portal's redirect URI (not fetched: the browser stopped there).
    const callback = browser.requests.findIndex((r) => r.includes('/upstream/callback/'));
    expect(callback).toBeGreaterThan(-1);
    expect(browser.requests.slice(callback + 1)).toEqual([
      expect.stringMatching(new RegExp(`^GET ${broker.issuer}/auth/[A-Za-z0-9_-]+$`)),
    ]);
    expect(new URL(back.stopped!).searchParams.get('code')).toEqual(expect.any(String));
    const tokens = await portal.redeem(back.stopped!, checks);
    expect(tokens.claims()).toMatchObject({ ...ALICE, aud: 'test-portal' });
  });

  it('returns the same profile claims from userinfo', async () => {
    const { tokens, claims } = await signIn(new Browser(), portal, 'alice');
    const userinfo = await portal.userinfo(tokens.access_token, claims.sub);
    expect(userinfo).toEqual(ALICE);
  });

  it('leaves out the claims of scopes the portal did not ask for', async () => {
    const { claims, tokens } = await signIn(new Browser(), portal, 'alice', {
      parameters: { scope: 'openid org_profile' },
    });
    expect(claims.org_name).toBe('Contoso Pharmaceuticals');
    expect(claims.email).toBeUndefined();
    expect(claims.name).toBeUndefined();
    const userinfo = await portal.userinfo(tokens.access_token, claims.sub);
    expect(userinfo.email).toBeUndefined();
    expect(userinfo.profile_id).toBe('prf-alice-contoso');
  });

  it('shows a person with two admitted profiles a picker and signs them in as the one they pick', async () => {
    const browser = new Browser();
    const { url, checks } = await portal.authorizationUrl();
    const picker = await signInUpstream(browser, await browser.go(url), 'bob', { stopAt: [portal.redirectUri] });
    expect(picker.status).toBe(200);
    expect(picker.$('h1').text()).toBe('Choose a profile');
    const options = picker
      .$('input[name="profile"]')
      .map((_, el) => picker.$(el).attr('value'))
      .get();
    expect(options.sort()).toEqual(['prf-bob-contoso', 'prf-bob-fabrikam']);
    expect(picker.text).toContain('Contoso Pharmaceuticals');
    expect(picker.text).toContain('P-200871');

    const back = await pickProfile(browser, picker, 'prf-bob-fabrikam', [portal.redirectUri]);
    const tokens = await portal.redeem(back.stopped!, checks);
    expect(tokens.claims()).toMatchObject({
      sub: 'prf-bob-fabrikam',
      org_name: 'Fabrikam Consulting',
      profile_kind: 'partner',
      profile_role: 'administrator',
    });
  });

  it('preselects the profile chosen last time in this browser', async () => {
    const browser = new Browser();
    await signIn(browser, portal, 'bob', { pick: 'prf-bob-fabrikam', parameters: { prompt: 'login' } });
    const { page } = await authorize(browser, portal, { prompt: 'login' });
    const picker = await signInUpstream(browser, page, 'bob');
    expect(picker.$('input[name="profile"][checked]').attr('value')).toBe('prf-bob-fabrikam');
    // The browser keeps a keyed digest, not the profile: its cookies name no profile.
    const kept = await browser.cookie(`${broker.issuer}/interaction`, 'broker.last_profile');
    expect(kept?.value).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(browser.setCookies.join('\n')).not.toContain('prf-bob');
  });

  it("refuses a profile id that is not among the person's admitted profiles", async () => {
    const browser = new Browser();
    const { page } = await authorize(browser, portal);
    const picker = await signInUpstream(browser, page, 'bob');
    const refused = await browser.submit(
      picker,
      'form[action$="/select"]',
      { profile: 'prf-alice-contoso' },
      { stopAt: [portal.redirectUri] },
    );
    expect(refused.stopped).toBeUndefined();
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('That profile is not available for Test portal');
  });

  it('issues JWT access tokens for a configured resource server carrying the profile claims', async () => {
    const resource = `${broker.issuer}/demo/api`;
    const { tokens } = await signIn(new Browser(), portal, 'alice', {
      parameters: { resource },
      tokenParameters: { resource },
    });
    const payload = decodeJwt(tokens.access_token);
    expect(payload).toMatchObject({
      iss: broker.issuer,
      aud: resource,
      sub: 'prf-alice-contoso',
      client_id: 'test-portal',
      profile_id: 'prf-alice-contoso',
      profile_kind: 'customer',
      profile_role: 'administrator',
      org_id: 'org-contoso',
      org_name: 'Contoso Pharmaceuticals',
      org_account_number: 'C-104233',
      email: 'alice.andersen@contoso.example',
    });
    expect(String(payload.scope).split(' ')).toContain('org_profile');
  });

  it('refreshes tokens with a rotated refresh token that keeps the profile', async () => {
    const { tokens } = await signIn(new Browser(), portal, 'alice');
    const refreshed = await portal.refresh(tokens.refresh_token!);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()).toMatchObject({ sub: 'prf-alice-contoso', org_name: 'Contoso Pharmaceuticals' });
  });
});

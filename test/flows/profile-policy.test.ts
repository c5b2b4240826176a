import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { startBroker, TEST_PORTAL, type TestBroker } from '../support/broker.ts';
import { authorize, signIn, signInUpstream } from '../support/flows.ts';
import { createPortal, type Portal } from '../support/portal.ts';

const PARTNER_ONLY = {
  ...TEST_PORTAL,
  client_id: 'partner-only',
  client_name: 'Partner test portal',
  redirect_uris: ['https://partners.example/cb'],
  post_logout_redirect_uris: ['https://partners.example/'],
  profile_kinds: ['partner'],
  contract_required: false,
};

let broker: TestBroker;
let portal: Portal;
let partnerPortal: Portal;

beforeAll(async () => {
  broker = await startBroker({
    clients: [TEST_PORTAL, PARTNER_ONLY],
    support: { name: 'Dynamics support', email: 'help@broker.example' },
  });
  portal = await createPortal(broker.issuer);
  partnerPortal = await createPortal(broker.issuer, PARTNER_ONLY);
});
afterAll(() => broker.close());

describe('client policy', () => {
  it('tells a person whose only profile has an expired contract why, with the support contact, and issues nothing', async () => {
    const browser = new Browser();
    const { page } = await authorize(browser, portal);
    const refused = await signInUpstream(browser, page, 'carol', { stopAt: [portal.redirectUri] });
    expect(refused.stopped).toBeUndefined();
    expect(refused.status).toBe(403);
    expect(refused.$('h1').text()).toBe('You cannot sign in to Test portal');
    expect(refused.text).toContain(
      'Northwind Traders does not have an active service contract (it ended on June 30, 2025)',
    );
    // Carol is Northwind's administrator: she is not told to ask her administrator.
    expect(refused.text).toContain('As its administrator, you can renew it with your account manager or partner');
    expect(refused.text).not.toContain("Your organisation's administrator");
    expect(refused.text).toContain('help@broker.example');
    // The reference on the page finds the refusal, and why, in the audit log.
    const reference = refused.$('.support strong').text();
    const [event] = await broker.services.audit.query({
      action: 'sign_in.refused',
      actor: 'person:demo:demo-0003-carol',
      limit: 10,
    });
    expect(event).toMatchObject({
      id: reference,
      outcome: 'failure',
      clientId: 'test-portal',
      profileId: 'prf-carol-northwind',
      details: { reasons: 'prf-carol-northwind:contract_inactive' },
    });
  });

  it('tells a customer that a partner-only portal is not open to customer profiles', async () => {
    const browser = new Browser();
    const { page } = await authorize(browser, partnerPortal);
    const refused = await signInUpstream(browser, page, 'alice', { stopAt: [partnerPortal.redirectUri] });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Partner test portal is not open to customer profiles');
  });

  it('admits only the profiles a portal allows: the partner portal signs a two-profile person straight in as the partner profile', async () => {
    const { claims } = await signIn(new Browser(), partnerPortal, 'bob');
    expect(claims).toMatchObject({ sub: 'prf-bob-fabrikam', profile_kind: 'partner' });
  });

  it('lists refused profiles, with the reason, beside the picker', async () => {
    const browser = new Browser();
    await signIn(browser, partnerPortal, 'bob');
    const { page: picker } = await authorize(browser, partnerPortal, { prompt: 'select_account' });
    expect(
      picker
        .$('input[name="profile"]')
        .map((_, el) => picker.$(el).attr('value'))
        .get(),
    ).toEqual(['prf-bob-fabrikam']);
    expect(picker.$('#refused-heading').text()).toBe('Not available for Partner test portal');
    expect(picker.$('ul.refused').text()).toContain('Contoso Pharmaceuticals');
    expect(picker.$('ul.refused').text()).toContain('Partner test portal is not open to customer profiles');
  });

  it('asks a person with no association for their registered email, with the support contact', async () => {
    const browser = new Browser();
    const { page } = await authorize(browser, portal);
    const notYet = await signInUpstream(browser, page, 'dave', { stopAt: [portal.redirectUri] });
    expect(notYet.stopped).toBeUndefined();
    expect(notYet.status).toBe(200);
    expect(notYet.$('h1').text()).toBe('Enter your registered email address');
    expect(notYet.text).toContain('help@broker.example');
  });

  it("answers prompt=none with login_required when the session's profile is not admitted by the asking portal", async () => {
    const browser = new Browser();
    await signIn(browser, portal, 'alice');
    const { page, checks } = await authorize(browser, partnerPortal, { prompt: 'none' });
    const redirect = new URL(page.stopped!);
    expect(redirect.searchParams.get('error')).toBe('login_required');
    expect(redirect.searchParams.get('state')).toBe(checks.state);
    expect(redirect.searchParams.get('code')).toBeNull();
  });

  it('answers prompt=none alike with no session and with a session whose profile the portal does not admit', async () => {
    const browser = new Browser();
    await signIn(browser, portal, 'alice');
    const inadmissible = new URL((await authorize(browser, partnerPortal, { prompt: 'none' })).page.stopped!);
    const noSession = new URL((await authorize(new Browser(), partnerPortal, { prompt: 'none' })).page.stopped!);
    expect(inadmissible.searchParams.get('error')).toBe('login_required');
    expect(noSession.searchParams.get('error')).toBe('login_required');
    expect(inadmissible.searchParams.get('error_description')).toBe(noSession.searchParams.get('error_description'));
    expect([...inadmissible.searchParams.keys()].sort()).toEqual([...noSession.searchParams.keys()].sort());
  });

  it('signs a second admitted portal in silently with prompt=none in the same browser session', async () => {
    const browser = new Browser();
    await signIn(browser, portal, 'bob', { pick: 'prf-bob-fabrikam' });
    const { page, checks } = await authorize(browser, partnerPortal, { prompt: 'none' });
    const tokens = await partnerPortal.redeem(page.stopped!, checks);
    expect(tokens.claims()!.sub).toBe('prf-bob-fabrikam');
  });
});

describe('an ended contract, for a professional', () => {
  it("tells a professional that the organisation's administrator or partner renews it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'contract-'));
    const seed = join(dir, 'directory.json');
    writeFileSync(
      seed,
      JSON.stringify({
        organisations: [
          { id: 'org-old', accountNumber: 'C-9', name: 'Old Co', kind: 'customer', contractEndsOn: '2024-01-31' },
        ],
        profiles: [
          {
            id: 'prf-old-admin',
            organisationId: 'org-old',
            email: 'a@old.example',
            displayName: 'A',
            role: 'administrator',
          },
          {
            id: 'prf-old-pro',
            organisationId: 'org-old',
            email: 'p@old.example',
            displayName: 'P',
            role: 'professional',
          },
        ],
        associations: [{ profileId: 'prf-old-pro', upstreamId: 'demo', subject: 'demo-0005-erin' }],
      }),
    );
    const own = await startBroker({ directorySeedFile: seed });
    try {
      const browser = new Browser();
      const { page } = await authorize(browser, await createPortal(own.issuer));
      const refused = await signInUpstream(browser, page, 'erin', { stopAt: ['https://portal.example/cb'] });
      expect(refused.status).toBe(403);
      expect(refused.text).toContain("Your organisation's administrator or partner can confirm or renew it.");
      expect(refused.text).not.toContain('As its administrator');
    } finally {
      await own.close();
    }
  });
});

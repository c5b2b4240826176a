import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ParsedMail } from 'mailparser';
import { Browser } from '../support/browser.ts';
import { startBroker, TEST_PORTAL, type TestBroker } from '../support/broker.ts';
import { requestAssociation } from '../support/flows.ts';
import { createPortal, type Portal } from '../support/portal.ts';
import { linkIn, startSmtp, type SmtpCapture } from '../support/smtp.ts';
import { settled } from '../support/wait.ts';

// A directory with every way a profile can be refused by a portal: a contract that ended (a professional with an
// administrator, and the administrator), a partner asking at a customers-only portal, a disabled profile, a disabled
// organisation, an address with several such profiles, and one with an admitted profile beside a refused one.
const DIRECTORY = {
  organisations: [
    {
      id: 'org-ended',
      accountNumber: 'C-1',
      name: 'Northwind Traders',
      kind: 'customer',
      contractEndsOn: '2024-01-31',
    },
    {
      id: 'org-active',
      accountNumber: 'C-2',
      name: 'Contoso <Pharma>',
      kind: 'customer',
      contractEndsOn: '2099-12-31',
    },
    {
      id: 'org-partner',
      accountNumber: 'P-1',
      name: 'Fabrikam Consulting',
      kind: 'partner',
      contractEndsOn: '2099-12-31',
    },
    {
      id: 'org-off',
      accountNumber: 'C-3',
      name: 'Litware',
      kind: 'customer',
      status: 'disabled',
      contractEndsOn: '2099-12-31',
    },
  ],
  profiles: [
    {
      id: 'prf-carol',
      organisationId: 'org-ended',
      email: 'carol@ended.example',
      displayName: 'Carol Chen',
      role: 'administrator',
    },
    {
      id: 'prf-paul',
      organisationId: 'org-ended',
      email: 'paul@ended.example',
      displayName: 'Paul Park',
      role: 'professional',
    },
    {
      id: 'prf-ron',
      organisationId: 'org-ended',
      email: 'ron@ended.example',
      displayName: 'Ron Roe',
      role: 'professional',
    },
    {
      id: 'prf-alice',
      organisationId: 'org-active',
      email: 'alice@active.example',
      displayName: 'Alice Adams',
      role: 'administrator',
    },
    {
      id: 'prf-gina',
      organisationId: 'org-active',
      email: 'gina@active.example',
      displayName: 'Gina Green',
      role: 'professional',
      status: 'disabled',
      locale: 'de',
    },
    {
      id: 'prf-pat',
      organisationId: 'org-partner',
      email: 'pat@partner.example',
      displayName: 'Pat Price',
      role: 'professional',
    },
    {
      id: 'prf-lou',
      organisationId: 'org-off',
      email: 'lou@off.example',
      displayName: 'Lou Lee',
      role: 'administrator',
    },
    // One address, three refused profiles.
    {
      id: 'prf-max-ended',
      organisationId: 'org-ended',
      email: 'max@several.example',
      displayName: 'Max Moe',
      role: 'professional',
    },
    {
      id: 'prf-max-partner',
      organisationId: 'org-partner',
      email: 'max@several.example',
      displayName: 'Max Moe',
      role: 'professional',
    },
    {
      id: 'prf-max-off',
      organisationId: 'org-off',
      email: 'max@several.example',
      displayName: 'Max Moe',
      role: 'professional',
    },
    // One address, one admitted profile and one refused.
    {
      id: 'prf-mia-active',
      organisationId: 'org-active',
      email: 'mia@mixed.example',
      displayName: 'Mia Moss',
      role: 'professional',
    },
    {
      id: 'prf-mia-ended',
      organisationId: 'org-ended',
      email: 'mia@mixed.example',
      displayName: 'Mia Moss',
      role: 'professional',
    },
  ],
  associations: [],
};

const CUSTOMERS_ONLY = {
  ...TEST_PORTAL,
  client_id: 'customers-only',
  client_name: 'Customers-only portal',
  redirect_uris: ['https://customers.example/cb'],
  post_logout_redirect_uris: [],
  profile_kinds: ['customer'],
};
const PARTNERS = {
  ...TEST_PORTAL,
  client_id: 'partners',
  client_name: 'Reseller portal',
  redirect_uris: ['https://partners.example/cb'],
  post_logout_redirect_uris: [],
  profile_kinds: ['partner'],
  client_uri: 'https://partners.example/',
  initiate_login_uri: 'https://partners.example/login',
};

let smtp: SmtpCapture;
let broker: TestBroker;
let customers: Portal;

beforeAll(async () => {
  smtp = await startSmtp();
  const seed = join(mkdtempSync(join(tmpdir(), 'broker-seed-')), 'directory.json');
  writeFileSync(seed, JSON.stringify(DIRECTORY));
  const generous = { points: 1000, windowSeconds: 3600 };
  broker = await startBroker({
    directorySeedFile: seed,
    clients: [TEST_PORTAL, CUSTOMERS_ONLY, PARTNERS],
    mail: { smtpUrl: smtp.url, retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 } },
    support: { name: 'Dynamics support', email: 'help@broker.example' },
    association: {
      resendCooldownSeconds: 0,
      // Two emails per (address, asking account) an hour: links and explanations each under their own keys.
      limits: { perIdentity: generous, perIp: generous, perRecipient: { points: 2, windowSeconds: 3600 } },
    },
  });
  customers = await createPortal(broker.issuer, CUSTOMERS_ONLY);
});
afterAll(async () => {
  await broker.close();
  await smtp.close();
});

/** Dave (who holds no profile) asks for links to `email` through `portal`; returns what the address received. */
async function ask(email: string, portal: Portal = customers): Promise<ParsedMail[]> {
  const { sent } = await requestAssociation(new Browser(), portal, 'dave', email);
  expect(sent.$('h1').text()).toBe('Check your email');
  await settled(broker.services);
  return smtp.to(email);
}

const WHY_SUBJECT = 'Why no sign-in link was sent for Customers-only portal';

describe('an address whose profiles the portal admits none of', () => {
  it('gets one email naming the administrator who renews a contract that ended', async () => {
    const mails = await ask('paul@ended.example');
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail!.subject).toBe(WHY_SUBJECT);
    expect(mail!.text).toContain('Hello Paul Park,');
    expect(mail!.text).toContain('Your profile at Northwind Traders (account C-1, role: professional)');
    expect(mail!.text).toContain(
      'The service contract of Northwind Traders ended on January 31, 2024, and Customers-only portal admits only organisations with an active contract.',
    );
    expect(mail!.text).toContain("Your organisation's administrator renews the contract: ask Carol Chen.");
    expect(mail!.text).toMatch(/quote reference [0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}/);
    // Nothing to follow: no link of the broker's.
    expect(mail!.text).not.toContain('/associate/');
    const reference = /quote reference ([0-9A-F-]{14})/.exec(mail!.text!)![1]!;
    const [event] = await broker.services.audit.query({
      action: 'association.no_link_explained',
      profileId: 'prf-paul',
      limit: 5,
    });
    expect(event).toMatchObject({
      id: reference,
      clientId: 'customers-only',
      details: { reasons: 'prf-paul:contract_inactive' },
    });
  });

  it('tells an administrator whose contract ended to renew it with the provider', async () => {
    const [mail, ...more] = await ask('carol@ended.example');
    expect(more).toHaveLength(0);
    expect(mail!.text).toContain(
      'As the administrator of Northwind Traders, you renew the contract with us: contact Dynamics support at help@broker.example.',
    );
    expect(mail!.html).toContain('<a href="mailto:help@broker.example">help@broker.example</a>');
  });

  it('names the portals that admit a profile of a kind this portal does not, with where to start', async () => {
    const [mail, ...more] = await ask('pat@partner.example');
    expect(more).toHaveLength(0);
    expect(mail!.text).toContain('Customers-only portal is not for partner profiles.');
    expect(mail!.text).toContain('You can use this profile with:');
    expect(mail!.text).toContain('* Reseller portal: https://partners.example/login');
    expect(mail!.html).toContain(
      '<a href="https://partners.example/login" style="color: #0b5cad;">Reseller portal</a>',
    );
    // A portal that admits customers only is not offered to a partner.
    expect(mail!.text).not.toContain('* Customers-only portal');
  });

  it("asks the administrator to enable a disabled profile, in the profile's own language", async () => {
    const [mail, ...more] = await ask('gina@active.example');
    expect(more).toHaveLength(0);
    expect(mail!.subject).toBe('Warum kein Anmeldelink für Customers-only portal gesendet wurde');
    expect(mail!.text).toContain('Dieses Profil ist deaktiviert.');
    expect(mail!.text).toContain(
      'Bitten Sie den Administrator Ihrer Organisation, Alice Adams, es wieder zu aktivieren.',
    );
    // Directory data is escaped in the HTML part and printed as written in the text.
    expect(mail!.html).toContain('Contoso &lt;Pharma&gt;');
    expect(mail!.text).toContain('Contoso <Pharma>');
  });

  it('lists every refused profile of the address in one email, each with its reason and advice', async () => {
    const mails = await ask('max@several.example');
    expect(mails).toHaveLength(1);
    const text = mails[0]!.text!;
    expect(text).toContain('with the profiles registered with this address');
    expect(text).toContain('Hello Max Moe,');
    expect(text).toContain('Your profile at Northwind Traders (account C-1, role: professional)');
    expect(text).toContain('ask Carol Chen');
    expect(text).toContain('Your profile at Fabrikam Consulting (account P-1, role: professional)');
    expect(text).toContain('* Reseller portal: https://partners.example/login');
    expect(text).toContain('Your profile at Litware (account C-3, role: professional)');
    expect(text).toContain('Litware is disabled in our directory.');
    expect(text).toContain('To have it enabled again, contact Dynamics support at help@broker.example.');
  });

  it('sends only links when one of the profiles is admitted: the refused one is not explained', async () => {
    const mails = await ask('mia@mixed.example');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Associate your sign-in with Contoso <Pharma> (C-2)');
    expect(linkIn(mails[0]!, broker.issuer)).toContain('/associate/');
  });

  it('is held to the limit per address and asking account, silently and without spending the link budget', async () => {
    for (let i = 0; i < 3; i += 1) await ask('ron@ended.example');
    expect(smtp.to('ron@ended.example')).toHaveLength(2);
    const limited = await broker.services.audit.query({ action: 'association.links_limited', limit: 10 });
    expect(limited.some((e) => e.details?.mail === 'no_link')).toBe(true);
  });
});

describe('a portal that admits the profile', () => {
  it('sends the link as before', async () => {
    const { sent } = await requestAssociation(
      new Browser(),
      await createPortal(broker.issuer, PARTNERS),
      'dave',
      'pat@partner.example',
    );
    expect(sent.$('h1').text()).toBe('Check your email');
    await settled(broker.services);
    const link = smtp.to('pat@partner.example').find((m) => m.subject?.startsWith('Associate your sign-in'));
    expect(link).toBeDefined();
  });
});

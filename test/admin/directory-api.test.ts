import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { OPENAPI_FILE } from '../../src/http/routes/admin-api.ts';
import { adminApi } from '../support/admin-api.ts';
import { Browser } from '../support/browser.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { signIn, submitUpstreamLogin } from '../support/flows.ts';
import { createPortal, type Portal } from '../support/portal.ts';
import { linkIn, startSmtp, type SmtpCapture } from '../support/smtp.ts';
import { waitUntil } from '../support/wait.ts';

const ROOT = { id: 'root-admin', secret: 'root-admin-secret-0123456789abcdefghij' };
let smtp: SmtpCapture;
let broker: TestBroker;
let portal: Portal;
let admin: ReturnType<typeof adminApi>;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(() => smtp.close());
// A broker per test: directories never leak between tests.
beforeEach(async () => {
  broker = await startBroker({
    admin: { clientId: ROOT.id, clientSecret: ROOT.secret },
    mail: {
      smtpUrl: smtp.url,
      from: 'Broker <no-reply@broker.example>',
      retry: { attempts: 2, baseDelayMs: 20, maxDelayMs: 50 },
      timeoutMs: 2000,
    },
    support: { name: 'Dynamics support', email: 'help@broker.example' },
  });
  portal = await createPortal(broker.issuer);
  admin = adminApi(broker.issuer, ROOT);
  for (const area of ['directory', 'support', 'audit', 'clients']) tokens[area] = await admin.token(`admin:${area}`);
});
afterEach(() => broker.close());

const call = (area: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  admin.call(method, path, tokens[area], body, headers);
const directory = (method: string, path: string, body?: unknown) =>
  call('directory', method, `/directory${path}`, body);
const support = (method: string, path: string, body?: unknown) => call('support', method, `/support${path}`, body);
const audit = async (query: Record<string, string>) =>
  (await call('audit', 'GET', `/audit/events?${new URLSearchParams(query)}`)).body!;
async function newOrganisation(accountNumber = 'C-777001', kind = 'customer') {
  const created = await directory('POST', '/organisations', {
    account_number: accountNumber,
    name: 'Tailspin Toys',
    kind,
    contract_ends_on: '2099-12-31',
  });
  expect(created.status).toBe(201);
  return created.body!;
}

describe("every admin operation sits behind its area's scope", () => {
  it('answers 403 insufficient_scope to a token of another area, for every documented operation outside /clients', async () => {
    const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as {
      paths: Record<string, Record<string, { security?: { adminToken: string[] }[] }>>;
    };
    let checked = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const scope = operation.security?.[0]?.adminToken[0];
        if (!scope || scope === 'admin:clients') continue;
        const other = scope === 'admin:directory' ? 'clients' : 'directory';
        const concrete = path.replace(/\{[^}]+\}/g, 'x');
        const answer = await call(other, method.toUpperCase(), concrete, method === 'get' ? undefined : {});
        expect({ path, method, status: answer.status, error: answer.body?.error }).toEqual({
          path,
          method,
          status: 403,
          error: 'insufficient_scope',
        });
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(17);
  });
});

describe('organisations', () => {
  it('creates, shows, lists with filters and pages, replaces, disables and enables, auditing each with its actor', async () => {
    const org = await newOrganisation();
    expect(org).toMatchObject({
      account_number: 'C-777001',
      name: 'Tailspin Toys',
      kind: 'customer',
      status: 'active',
      contract_ends_on: '2099-12-31',
    });
    expect(org.id).toMatch(/^org-/);
    expect((await directory('GET', `/organisations/${org.id}`)).body).toEqual({ ...org, administrator_id: null });

    const customers = await directory('GET', '/organisations?kind=customer&limit=2');
    expect(customers.body!.organisations).toHaveLength(2);
    expect(customers.body!.next).toBe(customers.body!.organisations[1].id);
    const rest = await directory('GET', `/organisations?kind=customer&limit=2&after=${customers.body!.next}`);
    const all = [...customers.body!.organisations, ...rest.body!.organisations].map((o: { id: string }) => o.id);
    expect(all.sort()).toEqual([org.id, 'org-contoso', 'org-northwind'].sort());
    expect(rest.body!.next).toBeNull();
    expect(
      (await directory('GET', '/organisations?q=tailspin')).body!.organisations.map((o: { id: string }) => o.id),
    ).toEqual([org.id]);
    expect(
      (await directory('GET', '/organisations?q=P-200871')).body!.organisations.map((o: { id: string }) => o.id),
    ).toEqual(['org-fabrikam']);

    const replaced = await directory('PUT', `/organisations/${org.id}`, {
      account_number: 'C-777001',
      name: 'Tailspin Toys Ltd',
      kind: 'customer',
      contract_ends_on: null,
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ name: 'Tailspin Toys Ltd', contract_ends_on: null, status: 'active' });
    const disabled = await directory('POST', `/organisations/${org.id}/disable`, { reason: 'contract ended' });
    expect(disabled.body!.status).toBe('disabled');
    expect(
      (await directory('GET', '/organisations?status=disabled')).body!.organisations.map((o: { id: string }) => o.id),
    ).toEqual([org.id]);
    expect((await directory('POST', `/organisations/${org.id}/enable`)).body!.status).toBe('active');

    const events = (await audit({ organisation_id: org.id })).events;
    expect(events.map((e: { action: string }) => e.action)).toEqual([
      'organisation.enabled',
      'organisation.disabled',
      'organisation.updated',
      'organisation.created',
    ]);
    expect(events[1]).toMatchObject({ actor: `admin:${ROOT.id}`, details: { reason: 'contract ended' } });
    expect(events[2].details).toEqual({ fields: 'contractEndsOn name' });
    expect(events[0].ip).toBe('127.0.0.1');
  });

  it('refuses a taken account number, unknown fields, wrong kinds and dates, and unknown ids, each with its code and nothing written', async () => {
    await newOrganisation();
    const before = (await directory('GET', '/organisations?limit=500')).body!.organisations.length;
    const taken = await directory('POST', '/organisations', {
      account_number: 'C-777001',
      name: 'Copy',
      kind: 'customer',
    });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ error: 'account_number_taken' });
    expect(taken.body!.message).toContain('look that one up');
    for (const [body, field] of [
      [{ account_number: 'X-1', name: 'N', kind: 'vendor' }, 'kind'],
      [{ account_number: 'X-1', name: 'N', kind: 'customer', contract_ends_on: '31/12/2099' }, 'contract_ends_on'],
      [{ account_number: 'X-1', name: 'N', kind: 'customer', colour: 'red' }, 'colour (unknown)'],
      [{ account_number: 7, name: 'N', kind: 'customer' }, 'account_number'],
      [{ name: 'N', kind: 'customer' }, 'account_number'],
    ] as const) {
      const refused = await directory('POST', '/organisations', body);
      expect({ status: refused.status, error: refused.body!.error }).toEqual({ status: 400, error: 'invalid_input' });
      expect(refused.body!.message).toContain(field);
    }
    expect((await directory('GET', '/organisations?limit=500')).body!.organisations).toHaveLength(before);
    const missing = await directory('GET', '/organisations/org-nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: 'organisation_not_found' });
    expect((await directory('GET', '/organisations?limit=0')).status).toBe(400);
    expect((await directory('GET', '/organisations?colour=red')).body!.error).toBe('invalid_input');
  });

  it('refuses organisation names and display names holding control characters or line breaks, naming the field, writing nothing', async () => {
    const org = await newOrganisation();
    for (const name of [
      'Evil\nCorp',
      'Evil\r\nCorp',
      'Tab\tCorp',
      'Bell\u0007Corp',
      'Line\u2028Corp',
      '\u001b[2JCorp',
    ]) {
      const created = await directory('POST', '/organisations', { account_number: 'C-777002', name, kind: 'customer' });
      expect({ name, status: created.status, error: created.body!.error, message: created.body!.message }).toEqual({
        name,
        status: 400,
        error: 'invalid_input',
        message: expect.stringContaining('malformed: name.'),
      });
      const renamed = await directory('PUT', `/organisations/${org.id}`, {
        account_number: 'C-777001',
        name,
        kind: 'customer',
      });
      expect({ name, status: renamed.status, message: renamed.body!.message }).toEqual({
        name,
        status: 400,
        message: expect.stringContaining('name'),
      });
      const person = await directory('POST', '/profiles', {
        organisation_id: org.id,
        email: 'ctl@tailspin.example',
        display_name: name,
      });
      expect({ name, status: person.status, message: person.body!.message }).toEqual({
        name,
        status: 400,
        message: expect.stringContaining('malformed: display_name.'),
      });
      const edited = await directory('PUT', '/profiles/prf-erin-contoso', {
        email: 'erin.evans@contoso.example',
        display_name: name,
      });
      expect({ name, status: edited.status, message: edited.body!.message }).toEqual({
        name,
        status: 400,
        message: expect.stringContaining('display_name'),
      });
    }
    expect((await directory('GET', '/organisations?q=C-777002')).body!.organisations).toEqual([]);
    expect((await directory('GET', `/organisations/${org.id}`)).body!.name).toBe('Tailspin Toys');
    expect((await directory('GET', `/profiles?organisation_id=${org.id}`)).body!.profiles).toEqual([]);
    expect((await directory('GET', '/profiles/prf-erin-contoso')).body!.display_name).toBe('Erin Evans');
    // Spaces around a name are trimmed, as before; only what is inside it is refused.
    expect(
      (
        await directory('PUT', `/organisations/${org.id}`, {
          account_number: 'C-777001',
          name: '  Tailspin Toys Ltd \n',
          kind: 'customer',
        })
      ).body!.name,
    ).toBe('Tailspin Toys Ltd');
  });
});

describe('profiles and organisation administrators', () => {
  it('makes the first profile added the administrator and later ones professionals, one profile per email per organisation', async () => {
    const org = await newOrganisation();
    const first = await directory('POST', '/profiles', {
      organisation_id: org.id,
      email: ' Ann.Admin@Tailspin.example ',
      display_name: 'Ann Admin',
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      organisation_id: org.id,
      email: 'ann.admin@tailspin.example',
      role: 'administrator',
      status: 'active',
    });
    const second = await directory('POST', '/profiles', {
      organisation_id: org.id,
      email: 'pat.pro@tailspin.example',
      display_name: 'Pat Pro',
    });
    expect(second.body!.role).toBe('professional');
    const another = await directory('POST', '/profiles', {
      organisation_id: org.id,
      email: 'max@tailspin.example',
      display_name: 'Max',
      role: 'administrator',
    });
    expect(another.status).toBe(409);
    expect(another.body).toMatchObject({ error: 'administrator_exists' });
    expect(another.body!.message).toContain(first.body!.id);
    await directory('POST', `/organisations/${org.id}/disable`, { reason: 'on hold' });
    const uninvitable = await directory('POST', '/profiles', {
      organisation_id: org.id,
      email: 'kim@tailspin.example',
      display_name: 'Kim',
      send_invite: true,
    });
    expect({ status: uninvitable.status, error: uninvitable.body!.error }).toEqual({
      status: 409,
      error: 'profile_disabled',
    });
    expect((await directory('GET', '/profiles?email=kim@tailspin.example')).body!.profiles).toEqual([]);
    await directory('POST', `/organisations/${org.id}/enable`);
    const sameEmail = await directory('POST', '/profiles', {
      organisation_id: org.id,
      email: 'PAT.PRO@tailspin.example',
      display_name: 'Pat again',
    });
    expect(sameEmail.body).toMatchObject({ error: 'profile_email_taken' });
    expect(
      (await directory('POST', '/profiles', { organisation_id: 'org-nope', email: 'a@b.example', display_name: 'A' }))
        .body!.error,
    ).toBe('organisation_not_found');
    expect(
      (await directory('POST', '/profiles', { organisation_id: org.id, email: 'not-an-email', display_name: 'A' }))
        .body!.message,
    ).toContain('email');

    expect(
      (await directory('GET', `/profiles?organisation_id=${org.id}&role=administrator`)).body!.profiles.map(
        (p: { id: string }) => p.id,
      ),
    ).toEqual([first.body!.id]);
    expect(
      (await directory('GET', '/profiles?email=BOB.BERG@fabrikam.example'))
        .body!.profiles.map((p: { id: string }) => p.id)
        .sort(),
    ).toEqual(['prf-bob-contoso', 'prf-bob-fabrikam']);
    expect((await directory('GET', `/organisations/${org.id}`)).body!.administrator_id).toBe(first.body!.id);
  });

  it("creates, shows, lists, replaces and clears a profile's language, auditing the change; a malformed tag is a 400 naming locale", async () => {
    const org = await newOrganisation();
    const created = await directory('POST', '/profiles', {
      organisation_id: org.id,
      email: 'lea@tailspin.example',
      display_name: 'Léa',
      locale: 'fr-ch',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'lea@tailspin.example', locale: 'fr-CH' });
    const id = created.body!.id as string;
    expect((await directory('GET', `/profiles/${id}`)).body!.locale).toBe('fr-CH');
    expect((await directory('GET', `/profiles?organisation_id=${org.id}`)).body!.profiles[0].locale).toBe('fr-CH');
    const without = await directory('POST', '/profiles', {
      organisation_id: org.id,
      email: 'max@tailspin.example',
      display_name: 'Max',
    });
    expect(without.body!.locale).toBeNull();

    // A PUT without locale leaves it; with one, replaces it; null removes it.
    const renamed = await directory('PUT', `/profiles/${id}`, { email: 'lea@tailspin.example', display_name: 'Léa M' });
    expect(renamed.body).toMatchObject({ display_name: 'Léa M', locale: 'fr-CH' });
    const german = await directory('PUT', `/profiles/${id}`, {
      email: 'lea@tailspin.example',
      display_name: 'Léa M',
      locale: 'de',
    });
    expect(german.body!.locale).toBe('de');
    const cleared = await directory('PUT', `/profiles/${id}`, {
      email: 'lea@tailspin.example',
      display_name: 'Léa M',
      locale: null,
    });
    expect(cleared.body!.locale).toBeNull();
    expect((await directory('GET', `/profiles/${id}`)).body!.locale).toBeNull();

    for (const locale of ['german', 'de_DE', 'd', 'de-', `de-${'x'.repeat(40)}`, 'de\nBcc: x', 42]) {
      const refused = await directory('POST', '/profiles', {
        organisation_id: org.id,
        email: 'kim@tailspin.example',
        display_name: 'Kim',
        locale,
      });
      expect({ locale, status: refused.status, error: refused.body!.error }).toEqual({
        locale,
        status: 400,
        error: 'invalid_input',
      });
      expect(refused.body!.message).toContain('locale');
      const notReplaced = await directory('PUT', `/profiles/${id}`, {
        email: 'lea@tailspin.example',
        display_name: 'Léa M',
        locale,
      });
      expect({ status: notReplaced.status, message: notReplaced.body!.message }).toEqual({
        status: 400,
        message: expect.stringContaining('locale'),
      });
    }
    expect((await directory('GET', '/profiles?email=kim@tailspin.example')).body!.profiles).toEqual([]);
    expect((await directory('GET', `/profiles/${id}`)).body!.locale).toBeNull();

    const events = (await audit({ profile_id: id, action: 'profile.updated' })).events;
    expect(events.map((e: { details: unknown }) => e.details)).toEqual([
      { fields: 'locale' },
      { fields: 'locale' },
      { fields: 'displayName' },
    ]);
  });

  it('lets the support desk replace an administrator with a reason, emailing the old and the new one, never leaving two', async () => {
    const replaced = await support('PUT', '/organisations/org-contoso/administrator', {
      profile_id: 'prf-erin-contoso',
      reason: 'Alice left Contoso (ticket 4411)',
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      administrator: { id: 'prf-erin-contoso', role: 'administrator' },
      previous: { id: 'prf-alice-contoso', role: 'professional' },
    });
    const reference = replaced.body!.reference as string;
    expect(reference).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/);

    await smtp.waitFor(
      () =>
        smtp.to('erin.evans@contoso.example').some((m) => m.text?.includes(reference)) &&
        smtp.to('alice.andersen@contoso.example').some((m) => m.text?.includes(reference)),
    );
    const toNew = smtp.to('erin.evans@contoso.example').find((m) => m.text?.includes(reference))!;
    expect(toNew.subject).toBe('You are now the administrator of Contoso Pharmaceuticals (C-104233)');
    expect(toNew.text).toContain('replacing Alice Andersen');
    const toOld = smtp.to('alice.andersen@contoso.example').find((m) => m.text?.includes(reference))!;
    expect(toOld.subject).toBe('You are no longer the administrator of Contoso Pharmaceuticals (C-104233)');
    expect(toOld.text).toContain('Erin Evans is now the administrator');

    const admins = (await directory('GET', '/profiles?organisation_id=org-contoso&role=administrator')).body!.profiles;
    expect(admins.map((p: { id: string }) => p.id)).toEqual(['prf-erin-contoso']);
    const [event] = (await audit({ organisation_id: 'org-contoso', action: 'organisation.administrator_changed' }))
      .events;
    expect(event).toMatchObject({
      reference,
      profile_id: 'prf-erin-contoso',
      actor: `admin:${ROOT.id}`,
      details: { reason: 'Alice left Contoso (ticket 4411)', previous: 'prf-alice-contoso' },
    });

    // The new administrator signs in with the new role in the token.
    expect(
      (await support('PUT', '/organisations/org-contoso/administrator', { profile_id: 'prf-erin-contoso' })).body!
        .message,
    ).toContain('reason');
    expect(
      (
        await support('PUT', '/organisations/org-contoso/administrator', {
          profile_id: 'prf-bob-fabrikam',
          reason: 'r',
        })
      ).body!.error,
    ).toBe('profile_not_in_organisation');
    expect(
      (
        await support('PUT', '/organisations/org-contoso/administrator', {
          profile_id: 'prf-gina-contoso',
          reason: 'r',
        })
      ).body!.error,
    ).toBe('profile_disabled');
  });

  it("changes a profile's email (revoking links sent to the old one), disables it so it cannot sign in, and enables it again", async () => {
    const invited = await support('POST', '/profiles/prf-erin-contoso/invitations', {});
    expect(invited.status).toBe(201);
    const changed = await directory('PUT', '/profiles/prf-erin-contoso', {
      email: 'Erin@Contoso-New.example',
      display_name: 'Erin Evans-Smith',
    });
    expect(changed.body).toMatchObject({
      email: 'erin@contoso-new.example',
      display_name: 'Erin Evans-Smith',
      role: 'professional',
    });
    const [link] = (await support('GET', '/profiles/prf-erin-contoso/links')).body!.links;
    expect(link).toMatchObject({ id: invited.body!.link_id, status: 'revoked', kind: 'invitation' });

    const browser = new Browser();
    await signIn(browser, portal, 'alice');
    const disabled = await directory('POST', '/profiles/prf-alice-contoso/disable', { reason: 'left the company' });
    expect(disabled.body!.status).toBe('disabled');
    const { url } = await portal.authorizationUrl({ prompt: 'login' });
    const page = await browser.go(url, { stopAt: [portal.redirectUri] });
    const after = await submitUpstreamLogin(
      browser,
      await browser.submit(page, 'form[action$="/upstream"]', {}, { submitter: 'button[value="demo"]' }),
      'alice',
      [portal.redirectUri],
    );
    expect(after.stopped).toBeUndefined();
    expect(after.text).toContain('disabled');
    expect((await directory('POST', '/profiles/prf-alice-contoso/enable')).body!.status).toBe('active');
    await signIn(new Browser(), portal, 'alice');
  });
});

describe('the support desk', () => {
  it('sends an invitation ("Send Invite E-mail") whose link associates whoever signs in with it, then shows and unlinks the association', async () => {
    const first = await support('POST', '/profiles/prf-erin-contoso/invitations', { client_id: 'test-portal' });
    const second = await support('POST', '/profiles/prf-erin-contoso/invitations', { client_id: 'test-portal' });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ reference: expect.stringMatching(/^[0-9A-F-]{14}$/) });
    await smtp.waitFor(
      () => smtp.to('erin.evans@contoso.example').filter((m) => m.text?.includes(broker.issuer)).length === 2,
    );
    const mail = smtp.to('erin.evans@contoso.example').find((m) => m.text?.includes(second.body!.reference))!;
    expect(mail.subject).toBe('You are invited to sign in for Contoso Pharmaceuticals (C-104233)');
    expect(mail.text).toContain('for Test portal');

    // Delivery shows on the links: the newer one sent, the older superseded.
    await waitUntil(
      async () => (await support('GET', '/profiles/prf-erin-contoso/links')).body!.links[0].status === 'sent',
      5000,
      'delivery recorded',
    );
    const links = (await support('GET', '/profiles/prf-erin-contoso/links')).body!.links;
    expect(links.map((l: { id: string; status: string }) => [l.id, l.status])).toEqual([
      [second.body!.link_id, 'sent'],
      [first.body!.link_id, 'superseded'],
    ]);
    expect(links[0]).toMatchObject({
      kind: 'invitation',
      delivery: 'sent',
      client_id: 'test-portal',
      reference: second.body!.reference,
    });

    // Nobody asked for it from an account: the landing page offers the upstreams, and the account signing in takes the profile.
    const browser = new Browser();
    const landing = await browser.go(linkIn(mail, broker.issuer));
    expect(landing.text).toContain('You were invited');
    const upstreamLogin = await browser.submit(
      landing,
      'form[action="/associate/continue"]',
      {},
      { submitter: 'button[value="demo"]' },
    );
    const done = await submitUpstreamLogin(browser, upstreamLogin, 'dave');
    expect(done.$('h1').text()).toBe('Your account is now associated');
    expect((await support('GET', '/profiles/prf-erin-contoso/links')).body!.links[0].status).toBe('used');

    const association = await support('GET', '/profiles/prf-erin-contoso/association');
    expect(association.body).toMatchObject({
      upstream: 'demo',
      account: 'd***d@outlook.example',
      how: { method: 'association_link', link_id: second.body!.link_id },
    });
    expect(association.body!.how.reference).toMatch(/^[0-9A-F-]{14}$/);
    const { tokens: signedIn } = await signIn(new Browser(), portal, 'dave');
    expect(signedIn.claims()!.sub).toBe('prf-erin-contoso');

    // A link still outstanding when the profile is unlinked stops working (SECURITY-CASES: "after the profile was unlinked").
    const pending = await support('POST', '/profiles/prf-erin-contoso/invitations', {});
    await smtp.waitFor(() =>
      smtp.to('erin.evans@contoso.example').some((m) => m.text?.includes(pending.body!.reference)),
    );
    const pendingLink = linkIn(
      smtp.to('erin.evans@contoso.example').find((m) => m.text?.includes(pending.body!.reference))!,
      broker.issuer,
    );
    const unlinked = await support('POST', '/profiles/prf-erin-contoso/unlink', {
      reason: 'account compromised (ticket 9001)',
    });
    expect(unlinked.status).toBe(200);
    expect((await support('GET', '/profiles/prf-erin-contoso/links')).body!.links[0]).toMatchObject({
      id: pending.body!.link_id,
      status: 'revoked',
    });
    const stale = await new Browser().go(pendingLink);
    expect(stale.status).toBe(410);
    expect(stale.$('h1').text()).toBe('This link can no longer be used');
    expect((await support('GET', '/profiles/prf-erin-contoso/association')).body).toMatchObject({
      error: 'not_associated',
    });
    await expect(portal.refresh(signedIn.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const again = await support('POST', '/profiles/prf-erin-contoso/unlink', { reason: 'twice' });
    expect(again.status).toBe(404);
    const [removed] = (await audit({ profile_id: 'prf-erin-contoso', action: 'association.removed' })).events;
    expect(removed).toMatchObject({
      reference: unlinked.body!.reference,
      details: { reason: 'account compromised (ticket 9001)', account: 'd***d@outlook.example', upstream: 'demo' },
    });
  });

  it('refuses to unlink a profile that has no association and changes nothing: its invitation still works, nothing is audited', async () => {
    const invitation = await support('POST', '/profiles/prf-erin-contoso/invitations', {});
    await smtp.waitFor(() =>
      smtp.to('erin.evans@contoso.example').some((m) => m.text?.includes(invitation.body!.reference)),
    );
    const link = linkIn(
      smtp.to('erin.evans@contoso.example').find((m) => m.text?.includes(invitation.body!.reference))!,
      broker.issuer,
    );
    await waitUntil(
      async () => (await support('GET', '/profiles/prf-erin-contoso/links')).body!.links[0].status === 'sent',
      5000,
      'delivery recorded',
    );

    const refused = await support('POST', '/profiles/prf-erin-contoso/unlink', {
      reason: 'wrong profile (ticket 9002)',
    });
    expect({ status: refused.status, error: refused.body!.error }).toEqual({ status: 404, error: 'not_associated' });
    expect((await support('GET', '/profiles/prf-erin-contoso/links')).body!.links[0]).toMatchObject({
      id: invitation.body!.link_id,
      status: 'sent',
    });
    const landing = await new Browser().go(link);
    expect(landing.status).toBe(200);
    expect(landing.text).toContain('You were invited');
    expect((await audit({ profile_id: 'prf-erin-contoso', action: 'association.removed' })).events).toEqual([]);
  });

  it("shows how a link's email fared: delivery failed when the mail server never takes it", async () => {
    await broker.close();
    broker = await startBroker({
      admin: { clientId: ROOT.id, clientSecret: ROOT.secret },
      mail: { smtpUrl: 'smtp://127.0.0.1:9', retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 }, timeoutMs: 500 },
    });
    admin = adminApi(broker.issuer, ROOT);
    tokens.support = await admin.token('admin:support');
    const sent = await support('POST', '/profiles/prf-erin-contoso/invitations', {});
    expect((await support('GET', '/profiles/prf-erin-contoso/links')).body!.links[0].status).toMatch(
      /^(queued|delivery_failed)$/,
    );
    await waitUntil(
      async () =>
        (await support('GET', '/profiles/prf-erin-contoso/links')).body!.links[0].status === 'delivery_failed',
      10_000,
      'delivery failure recorded',
    );
    expect((await support('GET', '/profiles/prf-erin-contoso/links')).body!.links[0]).toMatchObject({
      id: sent.body!.link_id,
      delivery: 'failed',
    });
  });

  it('refuses unknown profiles, missing reasons and disabled profiles with a code a person can act on', async () => {
    expect((await support('GET', '/profiles/prf-nope/links')).body!.error).toBe('profile_not_found');
    expect((await support('GET', '/profiles/prf-erin-contoso/association')).body!.error).toBe('not_associated');
    const noReason = await support('POST', '/profiles/prf-alice-contoso/unlink', {});
    expect({ status: noReason.status, error: noReason.body!.error }).toEqual({ status: 400, error: 'invalid_input' });
    expect((await support('GET', '/profiles/prf-alice-contoso/association')).status).toBe(200);
    expect((await support('POST', '/profiles/prf-gina-contoso/invitations', {})).body!.error).toBe('profile_disabled');
    expect((await support('POST', '/profiles/prf-erin-contoso/invitations', { client_id: 'nope' })).body!.error).toBe(
      'client_not_found',
    );
  });
});

describe('the audit log', () => {
  it('finds events by organisation, profile, client, actor, action and time, a page at a time, and never holds tokens or secrets', async () => {
    const start = new Date(Date.now() - 1000).toISOString();
    const invitation = await support('POST', '/profiles/prf-erin-contoso/invitations', {});
    await directory('POST', '/organisations/org-northwind/disable', { reason: 'r1' });
    await directory('POST', '/organisations/org-northwind/enable', { reason: 'r2' });
    const created = await call('clients', 'POST', '/clients', {
      client_name: 'Audit portal',
      redirect_uris: ['https://audit.example/cb'],
    });
    await smtp.waitFor(() =>
      smtp.to('erin.evans@contoso.example').some((m) => m.text?.includes(invitation.body!.reference)),
    );
    const token = linkIn(
      smtp.to('erin.evans@contoso.example').find((m) => m.text?.includes(invitation.body!.reference))!,
      broker.issuer,
    )
      .split('/')
      .pop()!;

    const mine = await audit({ actor: `admin:${ROOT.id}`, from: start });
    expect(mine.events.map((e: { action: string }) => e.action)).toEqual([
      'client.created',
      'organisation.enabled',
      'organisation.disabled',
      'association.invited',
    ]);
    expect(
      (await audit({ profile_id: 'prf-erin-contoso' })).events.map((e: { reference: string }) => e.reference),
    ).toEqual([invitation.body!.reference]);
    expect(
      (await audit({ client_id: created.body!.client.client_id })).events.map((e: { action: string }) => e.action),
    ).toEqual(['client.created']);
    expect((await audit({ action: 'organisation.disabled' })).events).toHaveLength(1);
    expect((await audit({ to: start })).events).toEqual([]);

    const page1 = await audit({ actor: `admin:${ROOT.id}`, limit: '3' });
    const page2 = await audit({ actor: `admin:${ROOT.id}`, limit: '3', after: page1.next });
    expect(page1.events).toHaveLength(3);
    expect(page2.next).toBeNull();
    expect([...page1.events, ...page2.events].map((e: { reference: string }) => e.reference)).toEqual(
      mine.events.map((e: { reference: string }) => e.reference),
    );
    expect((await call('audit', 'GET', '/audit/events?after=garbage')).body!.error).toBe('invalid_input');
    expect((await call('audit', 'GET', '/audit/events?from=yesterday')).status).toBe(400);

    const everything = JSON.stringify((await audit({ limit: '500' })).events);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(created.body!.client_secret);
    expect(everything).not.toContain(ROOT.secret);
  });
});

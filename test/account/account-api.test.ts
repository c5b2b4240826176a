import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { renderAccountOpenApiDocument } from '../../src/http/account-openapi.ts';
import { ACCOUNT_OPENAPI_FILE, ACCOUNT_ROUTES } from '../../src/http/routes/account-api.ts';
import { accountRecord, languageRecord, removalRecord } from '../../src/http/routes/account-records.ts';
import { adminApi } from '../support/admin-api.ts';
import { Browser } from '../support/browser.ts';
import { accountToken, callAccountApi, EMBEDDING_PORTAL } from '../support/account.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { createPortal, type Portal } from '../support/portal.ts';
import { startSmtp, type SmtpCapture } from '../support/smtp.ts';

const ROOT = { id: 'account-test-admin', secret: 'account-test-admin-secret-0123456789' };
let smtp: SmtpCapture;
let broker: TestBroker;
let portal: Portal;

beforeAll(async () => {
  smtp = await startSmtp();
  broker = await startBroker({
    mail: { smtpUrl: smtp.url, retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 } },
    admin: { clientId: ROOT.id, clientSecret: ROOT.secret },
    clients: [EMBEDDING_PORTAL],
  });
  portal = await createPortal(broker.issuer);
});
afterAll(async () => {
  await broker.close();
  await smtp.close();
});

describe('the account API', () => {
  it('is described by its checked-in OpenAPI document, served as written, and discovery names the console', async () => {
    const file = readFileSync(ACCOUNT_OPENAPI_FILE, 'utf8');
    expect(file).toBe(renderAccountOpenApiDocument(ACCOUNT_ROUTES));
    const served = await fetch(`${broker.issuer}/account/api/v1/openapi.json`);
    expect(await served.text()).toBe(file);
    const discovery = (await (await fetch(`${broker.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery.account_console_uri).toBe(`${broker.issuer}/account`);
    expect(discovery.scopes_supported).toContain('account');
  });

  it("shows the person's account and every profile associated with it, with what admits each", async () => {
    const token = await accountToken(portal, 'bob', 'openid account', 'prf-bob-contoso');
    const me = await callAccountApi(broker.issuer, 'GET', '/me', token);
    expect(me.status).toBe(200);
    const account = accountRecord.parse(me.body);
    expect(account.account.upstream).toBe('demo');
    expect(account.account.masked).not.toContain('demo-0002-bob');
    expect(account.profiles.map((p) => [p.id, p.current, p.role])).toEqual([
      ['prf-bob-contoso', true, 'professional'],
      ['prf-bob-fabrikam', false, 'administrator'],
    ]);
    expect(account.profiles[0]!.organisation).toMatchObject({ account_number: 'C-104233', contract_active: true });
    expect(account.profiles[0]!.admitted_by).toContainEqual({ client_id: 'test-portal', name: 'Test portal' });
  });

  it('is not granted to a portal that is not registered for it', async () => {
    const other = await startBroker({ mail: { smtpUrl: smtp.url } });
    try {
      const plain = await createPortal(other.issuer);
      const { url } = await plain.authorizationUrl({ scope: 'openid account' });
      const answer = await new Browser().go(url, { stopAt: [plain.redirectUri] });
      expect(new URL(answer.stopped!).searchParams.get('error')).toBe('invalid_scope');
    } finally {
      await other.close();
    }
  });

  it('refuses a missing or unknown token (401), a token without the account scope (403) and an admin token', async () => {
    const none = await callAccountApi(broker.issuer, 'GET', '/me');
    expect(none).toMatchObject({ status: 401, body: { error: 'account_token_missing' } });
    expect(none.headers.get('www-authenticate')).toContain('realm="account"');
    expect(await callAccountApi(broker.issuer, 'GET', '/me', 'x'.repeat(43))).toMatchObject({
      status: 401,
      body: { error: 'account_token_invalid' },
    });
    const withoutScope = await callAccountApi(
      broker.issuer,
      'GET',
      '/me',
      await accountToken(portal, 'alice', 'openid email'),
    );
    expect(withoutScope).toMatchObject({ status: 403, body: { error: 'insufficient_scope' } });
    expect(withoutScope.headers.get('www-authenticate')).toContain('scope="account"');
    const adminToken = await adminApi(broker.issuer, ROOT).token('admin:directory');
    expect(await callAccountApi(broker.issuer, 'GET', '/me', adminToken)).toMatchObject({
      status: 401,
      body: { error: 'account_token_invalid' },
    });
  });

  it('answers CORS only to the origins of portals registered for it, and never allows credentials', async () => {
    const preflight = (origin: string) =>
      fetch(`${broker.issuer}/account/api/v1/me`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
    const allowed = await preflight('https://portal.example');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://portal.example');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('Authorization');
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    const stranger = await preflight('https://attacker.example');
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();

    const token = await accountToken(portal, 'bob', 'openid account', 'prf-bob-contoso');
    const fromPage = (origin: string) =>
      fetch(`${broker.issuer}/account/api/v1/me`, { headers: { origin, authorization: `Bearer ${token}` } });
    expect((await fromPage('https://portal.example')).headers.get('access-control-allow-origin')).toBe(
      'https://portal.example',
    );
    const elsewhere = await fromPage('https://attacker.example');
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
    expect(elsewhere.headers.get('vary')).toContain('Origin');
  });

  it("never removes someone else's profile: 404, and nothing changes", async () => {
    const token = await accountToken(portal, 'bob', 'openid account', 'prf-bob-contoso');
    for (const other of ['prf-alice-contoso', 'prf-erin-contoso', 'prf-nobody']) {
      expect(await callAccountApi(broker.issuer, 'DELETE', `/profiles/${other}/association`, token)).toMatchObject({
        status: 404,
        body: { error: 'profile_not_in_account' },
      });
    }
    const alice = await broker.services.admin.support.showAssociation('prf-alice-contoso');
    expect(alice.associated_at).toEqual(expect.any(String));
  });
});

describe('the language of my emails', () => {
  it('sets and removes the language of a profile of my own account, audited with me as actor, shown on /me', async () => {
    const token = await accountToken(portal, 'bob', 'openid account', 'prf-bob-contoso');
    const set = await callAccountApi(broker.issuer, 'PUT', '/profiles/prf-bob-fabrikam/locale', token, {
      locale: 'de-ch',
    });
    expect(set).toMatchObject({ status: 200, body: { id: 'prf-bob-fabrikam', locale: 'de-CH' } });
    expect(languageRecord.parse(set.body)).toEqual({ id: 'prf-bob-fabrikam', locale: 'de-CH' });
    const me = accountRecord.parse((await callAccountApi(broker.issuer, 'GET', '/me', token)).body);
    expect(me.profiles.map((p) => [p.id, p.locale])).toEqual([
      ['prf-bob-contoso', null],
      ['prf-bob-fabrikam', 'de-CH'],
    ]);
    const [event] = await broker.services.audit.query({
      profileId: 'prf-bob-fabrikam',
      action: 'profile.updated',
      limit: 1,
    });
    expect(event).toMatchObject({ actor: 'profile:prf-bob-contoso', details: { fields: 'locale' } });

    const removed = await callAccountApi(broker.issuer, 'PUT', '/profiles/prf-bob-fabrikam/locale', token, {
      locale: null,
    });
    expect(removed).toMatchObject({ status: 200, body: { id: 'prf-bob-fabrikam', locale: null } });
    expect((await broker.services.admin.directory.getProfile('prf-bob-fabrikam')).locale).toBeUndefined();
  });

  it("refuses a malformed tag (400 naming locale), another person's profile (404, an administrator's colleagues too) and a missing token", async () => {
    const bob = await accountToken(portal, 'bob', 'openid account', 'prf-bob-contoso');
    for (const body of [{ locale: 'deutsch' }, { locale: 'de_DE' }, { locale: '' }, {}, { locale: 'de', extra: 1 }]) {
      const refused = await callAccountApi(broker.issuer, 'PUT', '/profiles/prf-bob-contoso/locale', bob, body);
      expect({ body, status: refused.status, error: refused.body.error }).toEqual({
        body,
        status: 400,
        error: 'invalid_input',
      });
      expect(refused.body.message).toContain(Object.keys(body).includes('extra') ? 'extra' : 'locale');
    }
    for (const other of ['prf-alice-contoso', 'prf-erin-contoso', 'prf-nobody']) {
      expect(
        await callAccountApi(broker.issuer, 'PUT', `/profiles/${other}/locale`, bob, { locale: 'fr' }),
      ).toMatchObject({ status: 404, body: { error: 'profile_not_in_account' } });
    }
    // Alice administers Contoso: Erin is her colleague, not a profile of her account.
    const alice = await accountToken(portal, 'alice', 'openid account');
    expect(
      await callAccountApi(broker.issuer, 'PUT', '/profiles/prf-erin-contoso/locale', alice, { locale: 'fr' }),
    ).toMatchObject({ status: 404, body: { error: 'profile_not_in_account' } });
    expect(
      await callAccountApi(broker.issuer, 'PUT', '/profiles/prf-bob-contoso/locale', undefined, { locale: 'fr' }),
    ).toMatchObject({ status: 401, body: { error: 'account_token_missing' } });
    for (const id of ['prf-alice-contoso', 'prf-erin-contoso', 'prf-bob-contoso'])
      expect((await broker.services.admin.directory.getProfile(id)).locale).toBeUndefined();
  });
});

describe('removing a profile from one’s own account', () => {
  it('removes it, signs its sessions out, tells its registered address, and audits the person as actor', async () => {
    const bobContoso = await accountToken(portal, 'bob', 'openid account', 'prf-bob-contoso');
    const bobFabrikam = await accountToken(portal, 'bob', 'openid account', 'prf-bob-fabrikam');
    const removed = await callAccountApi(broker.issuer, 'DELETE', '/profiles/prf-bob-fabrikam/association', bobContoso);
    expect(removed.status).toBe(200);
    const { reference, signed_out } = removalRecord.parse(removed.body);
    expect(signed_out).toBe(false);

    // The Fabrikam profile's own token stops at once; the Contoso one carries on, with one profile left.
    expect(await callAccountApi(broker.issuer, 'GET', '/me', bobFabrikam)).toMatchObject({ status: 401 });
    const me = accountRecord.parse((await callAccountApi(broker.issuer, 'GET', '/me', bobContoso)).body);
    expect(me.profiles.map((p) => p.id)).toEqual(['prf-bob-contoso']);

    await smtp.waitFor(() => smtp.to('bob.berg@fabrikam.example').some((m) => m.text?.includes(reference)));
    const notice = smtp.to('bob.berg@fabrikam.example').find((m) => m.text?.includes(reference))!;
    expect(notice.subject).toBe('Your profile at Fabrikam Consulting was removed from a sign-in account');
    const [event] = await broker.services.audit.query({ action: 'association.removed', limit: 5 });
    expect(event).toMatchObject({ id: reference, actor: 'profile:prf-bob-contoso', profileId: 'prf-bob-fabrikam' });

    // Removing the profile one acts as ends that token too.
    const own = removalRecord.parse(
      (await callAccountApi(broker.issuer, 'DELETE', '/profiles/prf-bob-contoso/association', bobContoso)).body,
    );
    expect(own.signed_out).toBe(true);
    expect(await callAccountApi(broker.issuer, 'GET', '/me', bobContoso)).toMatchObject({
      status: 401,
      body: { error: 'account_token_invalid' },
    });
  });

  it('refuses the token of a profile disabled since it was issued', async () => {
    const token = await accountToken(portal, 'alice', 'openid account');
    expect((await callAccountApi(broker.issuer, 'GET', '/me', token)).status).toBe(200);
    await broker.services.admin.directory.setProfileStatus(
      { actor: 'operator:test', holds: [] },
      'prf-alice-contoso',
      'disabled',
    );
    expect(await callAccountApi(broker.issuer, 'GET', '/me', token)).toMatchObject({
      status: 401,
      body: { error: 'account_token_invalid' },
    });
  });
});

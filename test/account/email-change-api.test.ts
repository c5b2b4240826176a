import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { renderAccountOpenApiDocument } from '../../src/http/account-openapi.ts';
import { ACCOUNT_OPENAPI_FILE, ACCOUNT_ROUTES } from '../../src/http/routes/account-api.ts';
import { Browser } from '../support/browser.ts';
import { accountToken, callAccountApi, EMBEDDING_PORTAL } from '../support/account.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { submitUpstreamLogin } from '../support/flows.ts';
import { createPortal, type Portal } from '../support/portal.ts';
import { linkIn, startSmtp, type SmtpCapture } from '../support/smtp.ts';

let smtp: SmtpCapture;
let broker: TestBroker;
let portal: Portal;

beforeAll(async () => {
  smtp = await startSmtp();
  broker = await startBroker({
    mail: { smtpUrl: smtp.url, retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 } },
    clients: [EMBEDDING_PORTAL],
  });
  portal = await createPortal(broker.issuer);
});
afterAll(async () => {
  await broker.close();
  await smtp.close();
});

describe('the account API: my registered email and who signs in as my profiles', () => {
  it('documents both operations in the checked-in OpenAPI document', () => {
    const file = readFileSync(ACCOUNT_OPENAPI_FILE, 'utf8');
    expect(file).toBe(renderAccountOpenApiDocument(ACCOUNT_ROUTES));
    const doc = JSON.parse(file) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths['/me/email']!.post!.responses)).toContain('202');
    expect(Object.keys(doc.paths['/profiles/{profileId}/invitation']!.post!.responses)).toContain('200');
  });

  it('asks for a new registered email: 202, and the link goes to the new address; refusals are JSON', async () => {
    const token = await accountToken(portal, 'alice', 'openid account');
    const asked = await callAccountApi(broker.issuer, 'POST', '/me/email', token, { email: ' Alice.API@Example.org ' });
    expect(asked).toMatchObject({
      status: 202,
      body: { email: 'alice.api@example.org', reference: expect.any(String), expires_at: expect.any(String) },
    });
    expect(new Date(asked.body.expires_at as string).getTime()).toBeGreaterThan(Date.now());
    await smtp.waitFor(() => smtp.to('alice.api@example.org').length === 1);
    expect(smtp.to('alice.api@example.org')[0]!.text).toContain(asked.body.reference);
    expect((await broker.services.admin.directory.getProfile('prf-alice-contoso')).email).toBe(
      'alice.andersen@contoso.example',
    );

    expect(await callAccountApi(broker.issuer, 'POST', '/me/email', token, {})).toMatchObject({
      status: 400,
      body: { error: 'invalid_input' },
    });
    expect(await callAccountApi(broker.issuer, 'POST', '/me/email', token, { email: 'x', extra: 1 })).toMatchObject({
      status: 400,
    });
    expect(await callAccountApi(broker.issuer, 'POST', '/me/email', token, { email: 'nope' })).toMatchObject({
      status: 400,
      body: { error: 'email_address_invalid' },
    });
    expect(
      await callAccountApi(broker.issuer, 'POST', '/me/email', token, { email: 'erin.evans@contoso.example' }),
    ).toMatchObject({
      status: 409,
      body: { error: 'email_address_taken' },
    });
  });

  it('sends an invitation for a profile of my account, and its use by another account takes the profile', async () => {
    const bobContoso = await accountToken(portal, 'bob', 'openid account', 'prf-bob-contoso');
    const bobFabrikam = await accountToken(portal, 'bob', 'openid account', 'prf-bob-fabrikam');
    const sent = await callAccountApi(broker.issuer, 'POST', '/profiles/prf-bob-fabrikam/invitation', bobContoso);
    expect(sent).toMatchObject({
      status: 200,
      body: { reference: expect.any(String), expires_at: expect.any(String) },
    });
    const [event] = await broker.services.audit.query({ action: 'association.invited', limit: 1 });
    expect(event).toMatchObject({
      id: sent.body.reference,
      actor: 'profile:prf-bob-contoso',
      profileId: 'prf-bob-fabrikam',
    });

    const invited = (m: { text?: string }) => m.text?.includes(sent.body.reference as string) ?? false;
    await smtp.waitFor(() => smtp.to('bob.berg@fabrikam.example').some(invited));
    const invitation = smtp.to('bob.berg@fabrikam.example').find(invited)!;
    expect(invitation.subject).toBe('You are invited to sign in for Fabrikam Consulting (P-200871)');
    // Nothing changes until it is used.
    expect((await callAccountApi(broker.issuer, 'GET', '/me', bobFabrikam)).status).toBe(200);

    // Dave opens it from that mailbox and signs in: the profile is his, and Bob's token as it stops working.
    const browser = new Browser();
    const landing = await browser.go(linkIn(invitation, broker.issuer));
    const upstreamLogin = await browser.submit(
      landing,
      'form[action="/associate/continue"]',
      {},
      { submitter: 'button[value="demo"]' },
    );
    const done = await submitUpstreamLogin(browser, upstreamLogin, 'dave');
    expect(done.$('h1').text()).toBe('Your account is now associated');
    expect(await callAccountApi(broker.issuer, 'GET', '/me', bobFabrikam)).toMatchObject({
      status: 401,
      body: { error: 'account_token_invalid' },
    });
    // The registered address is told which account took the profile.
    const notice = 'A sign-in account was associated with your profile at Fabrikam Consulting';
    await smtp.waitFor(() => smtp.to('bob.berg@fabrikam.example').some((m) => m.subject === notice));
    const me = await callAccountApi(broker.issuer, 'GET', '/me', bobContoso);
    expect((me.body.profiles as { id: string }[]).map((p) => p.id)).toEqual(['prf-bob-contoso']);
  });

  it("answers 404 for a profile of someone else's account, and changes nothing", async () => {
    const token = await accountToken(portal, 'alice', 'openid account');
    const before = smtp.messages.length;
    for (const other of ['prf-bob-contoso', 'prf-erin-contoso', 'prf-nobody']) {
      expect(await callAccountApi(broker.issuer, 'POST', `/profiles/${other}/invitation`, token)).toMatchObject({
        status: 404,
        body: { error: 'profile_not_in_account' },
      });
    }
    expect(
      await broker.services.audit.query({ action: 'association.invited', profileId: 'prf-bob-contoso', limit: 5 }),
    ).toEqual([]);
    expect(smtp.messages.length).toBe(before);
  });

  it('refuses a token without the account scope (403) on both operations', async () => {
    const token = await accountToken(portal, 'alice', 'openid email');
    for (const [path, body] of [
      ['/me/email', { email: 'alice.scope@example.org' }],
      ['/profiles/prf-alice-contoso/invitation', undefined],
    ] as const) {
      const refused = await callAccountApi(broker.issuer, 'POST', path, token, body);
      expect(refused).toMatchObject({ status: 403, body: { error: 'insufficient_scope' } });
      expect(refused.headers.get('www-authenticate')).toContain('scope="account"');
    }
    expect(smtp.to('alice.scope@example.org')).toHaveLength(0);
  });
});

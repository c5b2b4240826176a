import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AnyAccountRoute } from '../../src/http/account-route.ts';
import { ACCOUNT_ROUTES } from '../../src/http/routes/account-api.ts';
import { addedRecord, addReport, peoplePage } from '../../src/http/routes/account-organisation-records.ts';
import { accountToken, callAccountApi, EMBEDDING_PORTAL } from '../support/account.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { createPortal, type Portal } from '../support/portal.ts';
import { linkIn, startSmtp, type SmtpCapture } from '../support/smtp.ts';

/**
 * A portal registered for the account API (`account` among the scopes it may ask for) that admits organisations
 * without an active contract, so that a read-only organisation's administrator gets a token at all.
 */
/** Carol's organisation has no active contract: this portal admits her, so her token can meet the read-only rule. */
const PORTAL = { ...EMBEDDING_PORTAL, contract_required: false };
const CONTOSO_PEOPLE = ['prf-alice-contoso', 'prf-bob-contoso', 'prf-erin-contoso', 'prf-gina-contoso'];
let smtp: SmtpCapture;
let broker: TestBroker;
let portal: Portal;

beforeAll(async () => {
  smtp = await startSmtp();
  broker = await startBroker({
    mail: { smtpUrl: smtp.url, retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 } },
    clients: [PORTAL],
  });
  portal = await createPortal(broker.issuer);
});
afterAll(async () => {
  await broker.close();
  await smtp.close();
});

const ADMINISTRATOR_ROUTES = ACCOUNT_ROUTES.filter((route) => route.access === 'administrator');
const takesPerson = (route: AnyAccountRoute) =>
  route.path.includes('{profileId}') || route.path.endsWith('/administrator');

/** The body a route documents as its example: valid, so that only who calls decides the answer. */
const exampleBody = (route: AnyAccountRoute, profileId: string): unknown => {
  if (route.path.endsWith('/administrator')) return { profile_id: profileId };
  const examples = (route.request.body?.meta() as { examples?: unknown[] } | undefined)?.examples;
  return route.method === 'post' || route.method === 'put' ? (examples?.[0] ?? {}) : undefined;
};

/** Calls `route` as `token` on `profileId` (where it names a person) with its documented example body. */
const callRoute = (route: AnyAccountRoute, token: string, profileId = 'prf-erin-contoso') =>
  callAccountApi(
    broker.issuer,
    route.method.toUpperCase(),
    route.path.replace('{profileId}', profileId),
    token,
    exampleBody(route, profileId),
  );

/** What must not change when a call is refused: the people, who is associated, the events and the mail sent. */
async function snapshot() {
  const people = await Promise.all(
    CONTOSO_PEOPLE.map(async (id) => ({
      profile: await broker.services.admin.directory.getProfile(id),
      associated: Boolean(await broker.services.redeem.associations.findByProfile(id)),
      links: (await broker.services.redeem.links.listForProfile(id)).map((l) => [l.id, l.status]),
    })),
  );
  const events = (await broker.services.audit.query({ limit: 500 })).filter((e) => e.actor.startsWith('profile:'));
  return { people, events, contosoSize: (await list('org-contoso')).length, mails: smtp.messages.length };
}
const list = async (organisationId: string) =>
  (await broker.services.admin.directory.listProfiles({ organisationId }, { limit: 500 })).items;

describe('the account API for organisation administrators: who may call it', () => {
  it('answers every administrator operation 403 not_organisation_administrator to a professional', async () => {
    expect(ADMINISTRATOR_ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`)).toEqual([
      'GET /organisation/people',
      'POST /organisation/people',
      'POST /organisation/people/batch',
      'POST /organisation/people/{profileId}/invitation',
      'DELETE /organisation/people/{profileId}/invitation',
      'PUT /organisation/people/{profileId}/email',
      'PUT /organisation/people/{profileId}/status',
      'DELETE /organisation/people/{profileId}/association',
      'PUT /organisation/administrator',
    ]);
    const professional = await accountToken(portal, 'bob', 'openid account', 'prf-bob-contoso');
    const before = await snapshot();
    for (const route of ADMINISTRATOR_ROUTES) {
      const answer = await callRoute(route, professional);
      expect({ route: route.operationId, status: answer.status, error: answer.body.error }).toEqual({
        route: route.operationId,
        status: 403,
        error: 'not_organisation_administrator',
      });
      expect(answer.body.message).toContain("Only your organisation's administrator can see and manage its people");
    }
    expect(await snapshot()).toEqual(before);
  });

  it("answers another organisation's administrator 404 for every Contoso person on every operation, as for nobody", async () => {
    const fabrikam = await accountToken(portal, 'bob', 'openid account', 'prf-bob-fabrikam');
    const before = await snapshot();
    const onPeople = ADMINISTRATOR_ROUTES.filter(takesPerson);
    expect(onPeople).toHaveLength(6);
    for (const route of onPeople) {
      const missing = await callRoute(route, fabrikam, 'prf-nobody');
      for (const id of CONTOSO_PEOPLE) {
        const answer = await callRoute(route, fabrikam, id);
        expect({ route: route.operationId, id, status: answer.status, error: answer.body.error }).toEqual({
          route: route.operationId,
          id,
          status: 404,
          error: 'person_not_found',
        });
        expect(answer.body.message).toBe(missing.body.message);
      }
    }
    expect(await snapshot()).toEqual(before);
    expect(await broker.services.audit.query({ actor: 'profile:prf-bob-fabrikam', limit: 5 })).toEqual([]);
    // Fabrikam's own people are its administrator's: the list shows them and nobody of Contoso.
    const people = peoplePage.parse(
      (await callAccountApi(broker.issuer, 'GET', '/organisation/people', fabrikam)).body,
    );
    expect(people.people.map((p) => p.id)).toEqual(['prf-bob-fabrikam', 'prf-frank-fabrikam']);
  });

  it('answers 403 insufficient_scope to a token without the account scope, on every operation', async () => {
    const withoutScope = await accountToken(portal, 'alice', 'openid email');
    for (const route of ADMINISTRATOR_ROUTES) {
      const answer = await callRoute(route, withoutScope);
      expect({ route: route.operationId, status: answer.status, error: answer.body.error }).toEqual({
        route: route.operationId,
        status: 403,
        error: 'insufficient_scope',
      });
    }
  });

  it('lets a read-only organisation be listed and refuses every change with 403 organisation_read_only', async () => {
    const carol = await accountToken(portal, 'carol');
    const listed = await callAccountApi(broker.issuer, 'GET', '/organisation/people', carol);
    expect(listed.status).toBe(200);
    expect(peoplePage.parse(listed.body).people.map((p) => [p.id, p.status])).toEqual([
      ['prf-carol-northwind', 'associated'],
    ]);
    const before = await snapshot();
    const northwind = await list('org-northwind');
    for (const route of ADMINISTRATOR_ROUTES.filter((r) => r.method !== 'get')) {
      const answer = await callRoute(route, carol, 'prf-carol-northwind');
      expect({ route: route.operationId, status: answer.status, error: answer.body.error }).toEqual({
        route: route.operationId,
        status: 403,
        error: 'organisation_read_only',
      });
      expect(answer.body.message).toContain("Your organisation's service contract ended on June 30, 2025");
      expect(answer.body.message).toContain('quote account C-100412');
    }
    expect(await snapshot()).toEqual(before);
    expect(await list('org-northwind')).toEqual(northwind);
  });
});

describe('the account API for organisation administrators: the operations', () => {
  it('adds a professional: the invitation arrives by SMTP naming the organisation and the inviter', async () => {
    const alice = await accountToken(portal, 'alice');
    const added = await callAccountApi(broker.issuer, 'POST', '/organisation/people', alice, {
      display_name: 'Harry Hughes',
      email: ' Harry.Hughes@Contoso.example ',
    });
    expect(added.status).toBe(201);
    const { profile, invitation } = addedRecord.parse(added.body);
    expect(profile).toMatchObject({ email: 'harry.hughes@contoso.example', role: 'professional', status: 'active' });

    await smtp.waitFor(() => smtp.to('harry.hughes@contoso.example').length > 0);
    const [mail] = smtp.to('harry.hughes@contoso.example');
    expect(mail!.subject).toBe('Alice Andersen invited you to sign in for Contoso Pharmaceuticals (C-104233)');
    expect(mail!.text).toContain('Alice Andersen, the administrator of Contoso Pharmaceuticals, invited you');
    expect(mail!.text).toContain(invitation.reference);
    expect(linkIn(mail!, broker.issuer)).toMatch(/\/associate\//);

    const listed = peoplePage.parse(
      (await callAccountApi(broker.issuer, 'GET', '/organisation/people?q=hughes', alice)).body,
    );
    expect(listed.people).toEqual([
      expect.objectContaining({
        id: profile.id,
        status: 'invited',
        invitation: expect.objectContaining({ link_id: invitation.link_id, reference: invitation.reference }),
      }),
    ]);
    // Bad input is the guard's 400, naming the field; a taken address is the use case's 409.
    const bad = await callAccountApi(broker.issuer, 'POST', '/organisation/people', alice, {
      display_name: 'X',
      email: 'nope',
    });
    expect(bad).toMatchObject({ status: 400, body: { error: 'invalid_input' } });
    expect(bad.body.message).toContain('email');
    const taken = await callAccountApi(broker.issuer, 'POST', '/organisation/people', alice, {
      display_name: 'Harry Again',
      email: 'harry.hughes@contoso.example',
    });
    expect(taken).toMatchObject({ status: 409, body: { error: 'profile_email_taken' } });
  });

  it('adds several (dry run, then for real), resends, withdraws, corrects, disables, removes and hands over', async () => {
    const alice = await accountToken(portal, 'alice');
    const lines = 'Ida Ingram,ida.ingram@contoso.example\nnot a line';
    const dry = addReport.parse(
      (await callAccountApi(broker.issuer, 'POST', '/organisation/people/batch', alice, { lines })).body,
    );
    expect(dry).toMatchObject({ dry_run: true, reference: null, rows: { created: 1, rejected: 1 } });
    expect(
      (await broker.services.admin.directory.listProfiles({ email: 'ida.ingram@contoso.example' }, { limit: 1 })).items,
    ).toEqual([]);
    const real = addReport.parse(
      (await callAccountApi(broker.issuer, 'POST', '/organisation/people/batch', alice, { lines, dry_run: false }))
        .body,
    );
    expect(real.reference).toEqual(expect.any(String));
    const ida = real.details[0]!.profile_id!;
    expect(real.details[0]!.invitation).toMatchObject({ reference: expect.any(String) });

    const resent = await callAccountApi(broker.issuer, 'POST', `/organisation/people/${ida}/invitation`, alice);
    expect(resent.status).toBe(201);
    const withdrawn = await callAccountApi(broker.issuer, 'DELETE', `/organisation/people/${ida}/invitation`, alice);
    expect(withdrawn).toMatchObject({ status: 200, body: { revoked: 1, reference: expect.any(String) } });
    const links = await broker.services.redeem.links.listForProfile(ida);
    expect(links.map((l) => l.status).sort()).toEqual(['revoked', 'superseded']);

    const corrected = await callAccountApi(broker.issuer, 'PUT', `/organisation/people/${ida}/email`, alice, {
      email: 'ida.i@contoso.example',
    });
    expect(corrected).toMatchObject({ status: 200, body: { id: ida, email: 'ida.i@contoso.example' } });
    const associatedEmail = await callAccountApi(
      broker.issuer,
      'PUT',
      '/organisation/people/prf-bob-contoso/email',
      alice,
      {
        email: 'bob@contoso.example',
      },
    );
    expect(associatedEmail).toMatchObject({ status: 409, body: { error: 'email_change_needs_support' } });

    expect(
      await callAccountApi(broker.issuer, 'PUT', `/organisation/people/${ida}/status`, alice, { status: 'disabled' }),
    ).toMatchObject({
      status: 200,
      body: { status: 'disabled' },
    });
    expect(
      await callAccountApi(broker.issuer, 'PUT', '/organisation/people/prf-alice-contoso/status', alice, {
        status: 'disabled',
      }),
    ).toMatchObject({ status: 409, body: { error: 'cannot_disable_yourself' } });

    // The role goes only to someone who can sign in to use it.
    expect(
      await callAccountApi(broker.issuer, 'PUT', '/organisation/administrator', alice, {
        profile_id: 'prf-erin-contoso',
      }),
    ).toMatchObject({ status: 409, body: { error: 'administrator_not_associated' } });
    const handed = await callAccountApi(broker.issuer, 'PUT', '/organisation/administrator', alice, {
      profile_id: 'prf-bob-contoso',
    });
    expect(handed).toMatchObject({
      status: 200,
      body: { administrator: { id: 'prf-bob-contoso', role: 'administrator' }, previous: { id: 'prf-alice-contoso' } },
    });
    const { reference } = handed.body;
    await smtp.waitFor(() =>
      ['bob.berg@fabrikam.example', 'alice.andersen@contoso.example'].every((to) =>
        smtp.to(to).some((m) => m.text?.includes(reference)),
      ),
    );
    // The former administrator's token is refused the organisation from now on.
    expect(await callAccountApi(broker.issuer, 'GET', '/organisation/people', alice)).toMatchObject({
      status: 403,
      body: { error: 'not_organisation_administrator' },
    });

    // The new administrator removes the association of someone who left; the person is told.
    const bob = await accountToken(portal, 'bob', 'openid account', 'prf-bob-contoso');
    const removed = await callAccountApi(
      broker.issuer,
      'DELETE',
      '/organisation/people/prf-alice-contoso/association?reason=left',
      bob,
    );
    expect(removed).toMatchObject({ status: 200, body: { signed_out: false } });
    const [removal] = await broker.services.audit.query({ action: 'association.removed', limit: 1 });
    expect(removal).toMatchObject({ id: removed.body.reference, details: { reason: 'left' } });
    await smtp.waitFor(() =>
      smtp.to('alice.andersen@contoso.example').some((m) => m.text?.includes(removed.body.reference)),
    );
    // Once someone has associated, their address is what proved who they are: after removing the association the
    // administrator still cannot point it (and the next invitation) at another mailbox.
    expect(
      await callAccountApi(broker.issuer, 'PUT', '/organisation/people/prf-alice-contoso/email', bob, {
        email: 'someone.else@contoso.example',
      }),
    ).toMatchObject({ status: 409, body: { error: 'email_change_needs_support' } });
    // Nor remove their own association, which would leave nobody to manage the organisation.
    expect(
      await callAccountApi(broker.issuer, 'DELETE', '/organisation/people/prf-bob-contoso/association', bob),
    ).toMatchObject({ status: 409, body: { error: 'cannot_disable_yourself' } });
  });
});

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { adminApi } from '../support/admin-api.ts';
import { Browser } from '../support/browser.ts';
import { startBroker, TEST_PORTAL, type TestBroker } from '../support/broker.ts';
import { EMBEDDING_PORTAL, callAccountApi } from '../support/account.ts';
import { authorize, confirmSignOut, signIn, submitUpstreamLogin } from '../support/flows.ts';
import { startLogoutReceiver, verifyLogoutToken, type LogoutReceiver } from '../support/logout-receiver.ts';
import { createPortal, type Portal } from '../support/portal.ts';
import { linkIn, startSmtp } from '../support/smtp.ts';
import { waitUntil } from '../support/wait.ts';

const ROOT = { id: 'root-admin', secret: 'root-admin-secret-0123456789abcdef' };
/** A second portal of the same broker, listening on the same endpoint: its tokens carry its own audience. */
const SECOND_PORTAL = {
  ...TEST_PORTAL,
  client_id: 'second-portal',
  client_secret: 'second-portal-secret-0123456789abcdef',
  client_name: 'Second portal',
};

let smtp: Awaited<ReturnType<typeof startSmtp>>;
let receiver: LogoutReceiver;
let broker: TestBroker;
let portal: Portal;
let admin: ReturnType<typeof adminApi>;

beforeAll(async () => {
  smtp = await startSmtp();
  receiver = await startLogoutReceiver();
});
afterAll(async () => {
  await smtp.close();
  await receiver.close();
});
beforeEach(async () => {
  receiver.received.length = 0;
  broker = await startBroker({
    admin: { clientId: ROOT.id, clientSecret: ROOT.secret },
    clients: [
      { ...EMBEDDING_PORTAL, backchannel_logout_uri: receiver.url },
      { ...SECOND_PORTAL, backchannel_logout_uri: receiver.url },
    ],
    backchannelLogout: { retry: { attempts: 200, baseDelayMs: 20, maxDelayMs: 200 } },
    mail: { smtpUrl: smtp.url, from: 'Broker <no-reply@broker.example>', timeoutMs: 2000 },
  });
  portal = await createPortal(broker.issuer, EMBEDDING_PORTAL);
  admin = adminApi(broker.issuer, ROOT);
});
afterEach(() => broker.close());

/** The sids the portals were told about, from logout tokens verified for the audience each names. */
const toldSids = async () =>
  Promise.all(
    receiver.received.map(async (t) => (await verifyLogoutToken(t, broker.issuer, String(decodeJwt(t).aud))).sid),
  );

const waitForSids = async (sids: readonly unknown[]) => {
  await waitUntil(
    async () => sids.every((sid) => receiver.received.some((t) => decodeJwt(t).sid === sid)),
    20_000,
    'logout tokens for every session',
  );
  expect(await toldSids()).toEqual(expect.arrayContaining([...sids]));
};

describe('back-channel logout when a profile loses its sign-ins', () => {
  it('tells every portal of the profile when support unlinks it, each once, and no other', async () => {
    const browser = new Browser();
    const { claims } = await signIn(browser, portal, 'bob', { pick: 'prf-bob-contoso' });
    // The same broker session signs in to a second portal: it gets a sid of its own.
    const second = await createPortal(broker.issuer, SECOND_PORTAL);
    const silent = await authorize(browser, second, { prompt: 'none' });
    const secondSid = (await second.redeem(silent.page.stopped!, silent.checks)).claims()!.sid;
    expect(secondSid).not.toBe(claims.sid);
    const other = await signIn(new Browser(), portal, 'bob', { pick: 'prf-bob-fabrikam' });
    const token = await admin.token('admin:support');
    const unlinked = await admin.call('POST', '/support/profiles/prf-bob-contoso/unlink', token, {
      reason: 'left the company (ticket 7)',
    });
    expect(unlinked.status).toBe(200);
    await waitForSids([claims.sid, secondSid]);
    expect(receiver.received.map((t) => decodeJwt(t).aud).sort()).toEqual(['second-portal', 'test-portal']);
    // The other profile's session was not touched, nothing is told twice, and every token is its own (jti).
    expect(receiver.received.some((t) => decodeJwt(t).sid === other.claims.sid)).toBe(false);
    expect(new Set(await toldSids()).size).toBe(receiver.received.length);
    expect(new Set(receiver.received.map((t) => decodeJwt(t).jti)).size).toBe(receiver.received.length);
    const ended = await broker.services.audit.query({
      action: 'session.ended',
      profileId: 'prf-bob-contoso',
      limit: 5,
    });
    expect(ended[0]).toMatchObject({ actor: 'admin:root-admin', details: { reason: 'association_removed' } });
  });

  it('tells the portal when an administrator changes the registered email', async () => {
    const { claims } = await signIn(new Browser(), portal, 'alice');
    const token = await admin.token('admin:directory');
    const changed = await admin.call('PUT', '/directory/profiles/prf-alice-contoso', token, {
      email: 'alice.a@contoso.example',
      display_name: 'Alice Andersen',
    });
    expect(changed.status).toBe(200);
    await waitForSids([claims.sid]);
    const ended = await broker.services.audit.query({
      action: 'session.ended',
      profileId: 'prf-alice-contoso',
      limit: 1,
    });
    expect(ended[0]).toMatchObject({ actor: 'admin:root-admin', details: { reason: 'email_changed' } });
  });

  it('tells the portal when the profile is disabled', async () => {
    const { claims } = await signIn(new Browser(), portal, 'alice');
    const token = await admin.token('admin:directory');
    expect((await admin.call('POST', '/directory/profiles/prf-alice-contoso/disable', token, {})).status).toBe(200);
    await waitForSids([claims.sid]);
  });

  it('tells the portal when another account takes the profile through an association link', async () => {
    const { claims } = await signIn(new Browser(), portal, 'bob', { pick: 'prf-bob-fabrikam' });
    const token = await admin.token('admin:support');
    const invited = await admin.call('POST', '/support/profiles/prf-bob-fabrikam/invitations', token, {});
    expect(invited.status).toBe(201);
    await smtp.waitFor(() => smtp.to('bob.berg@fabrikam.example').some((m) => (m.text ?? '').includes('/associate/')));
    const message = smtp
      .to('bob.berg@fabrikam.example')
      .filter((m) => (m.text ?? '').includes('/associate/'))
      .at(-1)!;
    // An invitation lets the person choose the upstream account that takes the profile: dave's.
    const linkBrowser = new Browser();
    const landing = await linkBrowser.go(linkIn(message, broker.issuer));
    const upstream = await linkBrowser.submit(
      landing,
      'form[action="/associate/continue"]',
      {},
      {
        submitter: 'button[value="demo"]',
      },
    );
    const done = await submitUpstreamLogin(linkBrowser, upstream, 'dave');
    expect(done.text).toContain('is now associated');
    await waitForSids([claims.sid]);
    const ended = await broker.services.audit.query({
      action: 'session.ended',
      profileId: 'prf-bob-fabrikam',
      limit: 5,
    });
    expect(ended[0]).toMatchObject({ actor: 'person:demo:demo-0004-dave', details: { reason: 'reassociated' } });
  });

  it('signs out everywhere from the account API: every session of the account, each portal told once', async () => {
    const first = await signIn(new Browser(), portal, 'bob', {
      pick: 'prf-bob-contoso',
      parameters: { scope: 'openid account' },
    });
    const second = await signIn(new Browser(), portal, 'bob', { pick: 'prf-bob-fabrikam' });
    const bearer = first.tokens.access_token;

    const listed = await callAccountApi(broker.issuer, 'GET', '/sessions', bearer);
    expect(listed.status).toBe(200);
    expect(listed.body.sessions.map((s: { profile_id: string }) => s.profile_id).sort()).toEqual([
      'prf-bob-contoso',
      'prf-bob-fabrikam',
    ]);
    expect(listed.body.sessions[0].portals).toEqual([{ client_id: 'test-portal', name: 'Test portal' }]);
    // Nothing in the list opens a session: no cookie values, no tokens.
    expect(JSON.stringify(listed.body)).not.toMatch(/_session|eyJ/);

    const ended = await callAccountApi(broker.issuer, 'DELETE', '/sessions', bearer);
    expect(ended).toMatchObject({ status: 200, body: { ended: 2 } });
    await waitForSids([first.claims.sid, second.claims.sid]);
    // The token's own grant ended with its session.
    expect((await callAccountApi(broker.issuer, 'GET', '/sessions', bearer)).status).toBe(401);
    const audit = await broker.services.audit.query({ action: 'session.ended', limit: 5 });
    expect(audit.filter((e) => e.details?.reason === 'signed_out_everywhere')).toHaveLength(2);
  });

  it("ends one session from the account API, and answers 404 for a session that is not the account's", async () => {
    const mine = await signIn(new Browser(), portal, 'bob', {
      pick: 'prf-bob-contoso',
      parameters: { scope: 'openid account' },
    });
    const theirs = await signIn(new Browser(), portal, 'alice', { parameters: { scope: 'openid account' } });
    const their = (await callAccountApi(broker.issuer, 'GET', '/sessions', theirs.tokens.access_token)).body
      .sessions[0];
    const refused = await callAccountApi(broker.issuer, 'DELETE', `/sessions/${their.id}`, mine.tokens.access_token);
    expect(refused).toMatchObject({ status: 404, body: { error: 'session_not_found' } });
    expect(receiver.received).toHaveLength(0);

    const other = await signIn(new Browser(), portal, 'bob', { pick: 'prf-bob-fabrikam' });
    const list = (await callAccountApi(broker.issuer, 'GET', '/sessions', mine.tokens.access_token)).body.sessions;
    const target = list.find((s: { profile_id: string }) => s.profile_id === 'prf-bob-fabrikam');
    const ended = await callAccountApi(broker.issuer, 'DELETE', `/sessions/${target.id}`, mine.tokens.access_token);
    expect(ended).toMatchObject({ status: 200, body: { ended: 1 } });
    await waitForSids([other.claims.sid]);
    // Only that one: the session the call came from goes on.
    expect((await callAccountApi(broker.issuer, 'GET', '/sessions', mine.tokens.access_token)).status).toBe(200);
  });

  it("lets support list and end a profile's sessions, with scope admin:support only, audited with the reason", async () => {
    const { claims } = await signIn(new Browser(), portal, 'alice');
    const support = await admin.token('admin:support');
    const directory = await admin.token('admin:directory');
    expect((await admin.call('GET', '/support/profiles/prf-alice-contoso/sessions', undefined)).status).toBe(401);
    expect((await admin.call('GET', '/support/profiles/prf-alice-contoso/sessions', directory)).status).toBe(403);
    expect((await admin.call('GET', '/support/profiles/prf-nobody/sessions', support)).status).toBe(404);

    const listed = await admin.call('GET', '/support/profiles/prf-alice-contoso/sessions', support);
    expect(listed.status).toBe(200);
    const looked = await broker.services.audit.query({
      action: 'session.listed',
      profileId: 'prf-alice-contoso',
      limit: 1,
    });
    expect(looked[0]).toMatchObject({ actor: 'admin:root-admin', details: { sessions: 1 } });
    expect(listed.body!.sessions).toHaveLength(1);
    expect(listed.body!.sessions[0]).toMatchObject({ profile_id: 'prf-alice-contoso', upstream: 'demo' });

    const badInput = await admin.call('POST', '/support/profiles/prf-alice-contoso/sessions/sign-out', support, {
      reason: 'x',
      extra: true,
    });
    expect(badInput.status).toBe(400);
    const unknown = await admin.call('POST', '/support/profiles/prf-alice-contoso/sessions/sign-out', support, {
      reason: 'library computer (ticket 12)',
      session_id: 'no-such-session',
    });
    expect(unknown).toMatchObject({ status: 404, body: { error: 'session_not_found' } });

    receiver.received.length = 0;
    await receiver.stop();
    const ended = await admin.call('POST', '/support/profiles/prf-alice-contoso/sessions/sign-out', support, {
      reason: 'library computer (ticket 12)',
      session_id: listed.body!.sessions[0].id,
    });
    expect(ended).toMatchObject({ status: 200, body: { ended: 1 } });
    // The portal was down: the notice waits, and arrives once it is back.
    await waitUntil(() => broker.logs.some((l) => l.event === 'backchannel.retry'), 10_000, 'a failed attempt');
    await receiver.start();
    await waitForSids([claims.sid]);
    const audit = await broker.services.audit.query({
      action: 'session.ended',
      profileId: 'prf-alice-contoso',
      limit: 1,
    });
    expect(audit[0]).toMatchObject({
      actor: 'admin:root-admin',
      details: { reason: 'support', note: 'library computer (ticket 12)' },
    });
  });

  it('audits a logout token that could not be delivered after every attempt, for operators', async () => {
    await broker.close();
    broker = await startBroker({
      clients: [{ ...TEST_PORTAL, backchannel_logout_uri: 'http://127.0.0.1:9/nobody-listens' }],
      backchannelLogout: { retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 } },
    });
    const testPortal = await createPortal(broker.issuer);
    const browser = new Browser();
    const { tokens } = await signIn(browser, testPortal, 'alice');
    const confirm = await browser.go(testPortal.endSessionUrl({ id_token_hint: tokens.id_token! }));
    await confirmSignOut(browser, confirm, []);
    await waitUntil(
      async () => (await broker.services.audit.query({ action: 'backchannel.delivery_failed', limit: 1 })).length === 1,
      10_000,
      'the failed delivery audited',
    );
    const [failed] = await broker.services.audit.query({ action: 'backchannel.delivery_failed', limit: 1 });
    expect(failed).toMatchObject({ outcome: 'failure', clientId: 'test-portal', profileId: 'prf-alice-contoso' });
    expect(failed!.details).toMatchObject({ attempts: 2 });
    expect(JSON.stringify(failed)).not.toMatch(/eyJ/);
  });
});

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { referenceCode } from '../../src/shared/ids.ts';
import { adminApi } from '../support/admin-api.ts';
import { Browser } from '../support/browser.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { submitUpstreamLogin } from '../support/flows.ts';
import { linkIn, startSmtp, type SmtpCapture } from '../support/smtp.ts';
import { waitUntil } from '../support/wait.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const ROOT = { id: 'root-admin', secret: 'root-admin-secret-0123456789abcdefghij' };
const EVERY_TYPE = [
  'association.created',
  'association.removed',
  'profile.created',
  'profile.updated',
  'profile.disabled',
  'profile.enabled',
  'organisation.administrator_changed',
  'invitation.sent',
  'mail.delivery_failed',
  'sign_in.succeeded',
  'sign_in.refused',
  'session.ended',
].sort();

let smtp: SmtpCapture;
let receiver: WebhookReceiver;
let broker: TestBroker;
let admin: ReturnType<typeof adminApi>;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(() => smtp.close());
beforeEach(async () => {
  receiver = await startWebhookReceiver();
  broker = await startBroker({
    admin: { clientId: ROOT.id, clientSecret: ROOT.secret },
    mail: { smtpUrl: smtp.url, retry: { attempts: 2, baseDelayMs: 20, maxDelayMs: 50 }, timeoutMs: 2000 },
    // Short delays, so that a receiver that is down is tried again within the test's patience.
    webhooks: {
      retry: { attempts: 50, baseDelayMs: 20, maxDelayMs: 200 },
      timeoutMs: 2000,
      relay: { intervalSeconds: 1, graceSeconds: 1 },
    },
  });
  admin = adminApi(broker.issuer, ROOT);
  for (const area of ['directory', 'support', 'events', 'clients']) tokens[area] = await admin.token(`admin:${area}`);
});
afterEach(async () => {
  await broker.close();
  await receiver.stop();
});

const call = (area: string, method: string, path: string, body?: unknown) =>
  admin.call(method, path, tokens[area], body);
const events = (method: string, path: string, body?: unknown) => call('events', method, `/webhooks${path}`, body);

async function subscribe(body: Record<string, unknown> = {}) {
  const created = await events('POST', '', { url: receiver.url(), description: 'test receiver', ...body });
  expect(created.status).toBe(201);
  receiver.useSecret(created.body!.secret);
  return created.body! as { webhook: { id: string }; secret: string };
}

/** Records an audit event as the broker's own code does (for causes another part of the broker owns). */
const recordAudit = (action: string, fields: Record<string, unknown> = {}) =>
  broker.services.audit.record({
    id: referenceCode(),
    at: broker.services.clock.now(),
    action,
    outcome: 'success',
    actor: 'system',
    ...fields,
  });

describe('webhook events', () => {
  it('fires every event type once per cause, signed (Standard Webhooks), with ids and facts but no secrets, tokens or addresses', async () => {
    const { secret } = await subscribe();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const directory = (method: string, path: string, body?: unknown) =>
      call('directory', method, `/directory${path}`, body);
    const support = (method: string, path: string, body?: unknown) => call('support', method, `/support${path}`, body);

    // profile.created, .updated, .disabled, .enabled through the admin API.
    const created = await directory('POST', '/profiles', {
      organisation_id: 'org-contoso',
      email: 'hank.hill@contoso.example',
      display_name: 'Hank Hill',
      role: 'professional',
    });
    expect(created.status).toBe(201);
    const profileId = created.body!.id as string;
    expect(
      (
        await directory('PUT', `/profiles/${profileId}`, {
          email: 'hank.hill@contoso.example',
          display_name: 'Hank H.',
        })
      ).status,
    ).toBe(200);
    expect((await directory('POST', `/profiles/${profileId}/disable`, { reason: 'on leave' })).status).toBe(200);
    expect((await directory('POST', `/profiles/${profileId}/enable`, {})).status).toBe(200);
    // invitation.sent, then association.created by the person who opens it, then association.removed by support.
    const invitation = await support('POST', `/profiles/${profileId}/invitations`, {});
    expect(invitation.status).toBe(201);
    await smtp.waitFor(() => smtp.to('hank.hill@contoso.example').some((m) => m.text?.includes('/associate/')));
    const link = linkIn(smtp.to('hank.hill@contoso.example').at(-1)!, broker.issuer);
    // Nobody asked for an invitation from an account: whoever opens it from the mailbox and signs in takes the profile.
    const browser = new Browser();
    const upstreamLogin = await browser.submit(
      await browser.go(link),
      'form[action="/associate/continue"]',
      {},
      { submitter: 'button[value="demo"]' },
    );
    expect((await submitUpstreamLogin(browser, upstreamLogin, 'dave')).$('h1').text()).toBe(
      'Your account is now associated',
    );
    await waitUntil(
      async () => (await support('GET', `/profiles/${profileId}/association`)).status === 200,
      10_000,
      'association written',
    );
    expect((await support('POST', `/profiles/${profileId}/unlink`, { reason: 'test (ticket 1)' })).status).toBe(200);
    // organisation.administrator_changed by the support desk.
    expect(
      (
        await support('PUT', '/organisations/org-contoso/administrator', {
          profile_id: 'prf-erin-contoso',
          reason: 'Alice left (ticket 2)',
        })
      ).status,
    ).toBe(200);
    // sign_in.refused through the sign-in use case.
    await broker.services.useCases.signIns.refuse({
      identity: { upstreamId: 'demo', subject: 'demo-0003-carol' },
      clientId: 'test-portal',
      refused: [] as never,
    });
    // Recorded by parts that own them (mail delivery, sign-in and sign-out), as they record them.
    await recordAudit('mail.delivery_failed', {
      outcome: 'failure',
      actor: 'system:mail',
      profileId,
      details: { kind: 'invitation', mail: 'AAAA-BBBB-CCCC', reason: 'ECONNECTION: refused', permanent: false },
    });
    await recordAudit('sign_in.succeeded', {
      actor: 'person:demo:demo-0001-alice',
      profileId: 'prf-alice-contoso',
      organisationId: 'org-contoso',
      clientId: 'test-portal',
      details: { upstream: 'demo', session: 'session-uid-1' },
    });
    await recordAudit('session.ended', {
      actor: 'person:demo:demo-0001-alice',
      profileId: 'prf-alice-contoso',
      clientId: 'test-portal',
      details: { upstream: 'demo', session: 'session-uid-1' },
    });
    // Not an event: audited, never sent.
    await recordAudit('association.link_issued', { profileId });

    await waitUntil(
      () => new Set(receiver.received.map((r) => r.payload.type)).size === EVERY_TYPE.length,
      20_000,
      'every event type received',
    );
    // The relay runs (its grace passed): it publishes nothing again.
    const lastAt = Date.now();
    await waitUntil(() => Date.now() > lastAt + 1100, 5000, 'relay grace passed');
    await broker.services.webhooks.relayOnce();
    await waitUntil(async () => (await broker.services.webhooks.deps.queue.pending()) === 0, 10_000, 'queue idle');

    const types = receiver.received.map((r) => r.payload.type).sort();
    expect(types).toEqual(EVERY_TYPE);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(EVERY_TYPE.length);
    // The webhook id is the audit event's reference.
    const disabled = receiver.ofType('profile.disabled')[0]!;
    const audited = await call('directory', 'GET', '/directory/profiles/' + profileId);
    expect(audited.status).toBe(200);
    expect(disabled.payload).toMatchObject({
      type: 'profile.disabled',
      data: { profile_id: profileId, organisation_id: 'org-contoso', reason: 'on leave', actor_type: 'admin' },
    });
    expect(receiver.ofType('association.created')[0]!.payload.data).toMatchObject({
      profile_id: profileId,
      upstream: 'demo',
      account_masked: expect.stringMatching(/\*/),
    });
    // No link token, secret or registered address in any payload or header.
    const token = link.split('/associate/')[1]!;
    for (const r of receiver.received) {
      const text = r.body + JSON.stringify(r.headers);
      expect(text).not.toContain(token);
      expect(text).not.toContain('hank.hill@contoso.example');
      expect(text).not.toContain(secret);
      expect(text).not.toContain('session-uid-1');
      expect(text).not.toContain('AAAA-BBBB-CCCC');
    }
    // Listed per subscription, newest first, each delivered once.
    const { webhook } = { webhook: (await events('GET', '')).body!.webhooks[0] };
    const listed = await events('GET', `/${webhook.id}/deliveries?limit=5`);
    expect(listed.status).toBe(200);
    expect(listed.body!.deliveries).toHaveLength(5);
    expect(listed.body!.deliveries.every((d: { status: string; attempts: number }) => d.status === 'delivered')).toBe(
      true,
    );
    const rest = await events('GET', `/${webhook.id}/deliveries?limit=50&after=${listed.body!.next}`);
    expect(rest.body!.deliveries).toHaveLength(EVERY_TYPE.length - 5);
    const all = [...listed.body!.deliveries, ...rest.body!.deliveries];
    expect(all.map((d: { occurred_at: string }) => d.occurred_at)).toEqual(
      all
        .map((d: { occurred_at: string }) => d.occurred_at)
        .sort()
        .reverse(),
    );
  });

  it('sends only the types a subscription asked for, and nothing that happened before it existed', async () => {
    await recordAudit('profile.disabled', { profileId: 'prf-gina-contoso' });
    await subscribe({ events: ['profile.enabled'] });
    await recordAudit('profile.disabled', { profileId: 'prf-gina-contoso' });
    await recordAudit('profile.enabled', { profileId: 'prf-gina-contoso' });
    await waitUntil(() => receiver.received.length === 1, 10_000, 'one event');
    await broker.services.webhooks.relayOnce();
    await waitUntil(async () => (await broker.services.webhooks.deps.queue.pending()) === 0, 10_000, 'queue idle');
    expect(receiver.received.map((r) => r.payload.type)).toEqual(['profile.enabled']);
  });

  it('a receiver down for a while gets everything afterwards, in order of occurrence per profile; sign-ins and changes never wait for it', async () => {
    const { webhook } = await subscribe();
    await receiver.stop();
    const directory = (path: string, body?: unknown) => call('directory', 'POST', `/directory${path}`, body);
    const order: Record<string, string[]> = { 'prf-bob-contoso': [], 'prf-erin-contoso': [] };
    for (let round = 0; round < 3; round += 1) {
      for (const profileId of Object.keys(order)) {
        const started = Date.now();
        expect((await directory(`/profiles/${profileId}/disable`, {})).status).toBe(200);
        expect((await directory(`/profiles/${profileId}/enable`, {})).status).toBe(200);
        expect(Date.now() - started).toBeLessThan(2000);
        order[profileId]!.push('profile.disabled', 'profile.enabled');
      }
    }
    // Tried, refused, waiting: the head of the line holds the rest back.
    await waitUntil(
      async () => {
        const page = (await events('GET', `/${webhook.id}/deliveries?status=pending&limit=50`)).body!;
        return page.deliveries.length === 12 && page.deliveries.some((d: { attempts: number }) => d.attempts >= 2);
      },
      10_000,
      'deliveries waiting after failed attempts',
    );
    const waiting = (await events('GET', `/${webhook.id}/deliveries?limit=50`)).body!.deliveries;
    const tried = waiting.find((d: { attempts: number }) => d.attempts > 0);
    expect(tried.history[0].error).toMatch(/ECONNREFUSED/);

    await receiver.start();
    await waitUntil(() => receiver.received.length === 12, 20_000, 'everything received after the receiver is back');
    for (const [profileId, expected] of Object.entries(order)) {
      const got = receiver.received.filter((r) => r.payload.data.profile_id === profileId);
      expect(got.map((r) => r.payload.type)).toEqual(expected);
    }
    const timestamps = receiver.received.map((r) => r.payload.timestamp);
    expect(timestamps).toEqual([...timestamps].sort());
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(12);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
  });

  it('retries a receiver that answers 500 with backoff, keeps what failed every attempt, and sends it on retry', async () => {
    await broker.close();
    broker = await startBroker({
      admin: { clientId: ROOT.id, clientSecret: ROOT.secret },
      webhooks: { retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 50 }, relay: { intervalSeconds: 1 } },
    });
    admin = adminApi(broker.issuer, ROOT);
    tokens.events = await admin.token('admin:events');
    const { webhook } = await subscribe();
    receiver.answerWith(500);
    await recordAudit('profile.disabled', { profileId: 'prf-gina-contoso' });
    await waitUntil(
      async () => (await events('GET', `/${webhook.id}/deliveries?status=failed`)).body!.deliveries.length === 1,
      10_000,
      'delivery failed',
    );
    const [failed] = (await events('GET', `/${webhook.id}/deliveries?status=failed`)).body!.deliveries;
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, next_attempt_at: null });
    expect(failed.history.map((h: { status: number }) => h.status)).toEqual([500, 500, 500]);
    expect(receiver.requests.map(([, status]) => status)).toEqual([500, 500, 500]);

    receiver.answerWith(204);
    const retried = await events('POST', `/${webhook.id}/deliveries/${failed.event_id}/retry`);
    expect(retried.status).toBe(200);
    await waitUntil(() => receiver.received.length === 1, 10_000, 'retried delivery received');
    expect(receiver.received[0]!.id).toBe(failed.event_id);
    const again = await events('POST', `/${webhook.id}/deliveries/${failed.event_id}/retry`);
    expect(again.status).toBe(409);
    expect(again.body!.error).toBe('webhook_delivery_not_failed');
  });

  it('gives up an attempt on a receiver that does not answer in time, tries again, and changes never wait for it', async () => {
    await broker.close();
    broker = await startBroker({
      admin: { clientId: ROOT.id, clientSecret: ROOT.secret },
      webhooks: { retry: { attempts: 50, baseDelayMs: 20, maxDelayMs: 50 }, timeoutMs: 300 },
    });
    admin = adminApi(broker.issuer, ROOT);
    tokens.events = await admin.token('admin:events');
    tokens.directory = await admin.token('admin:directory');
    const { webhook } = await subscribe();
    // Slow: it answers long after the broker stopped waiting (a 30 s receiver, scaled down).
    receiver.answerWith(204, 3000);
    const started = Date.now();
    expect((await call('directory', 'POST', '/directory/profiles/prf-erin-contoso/disable', {})).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
    await waitUntil(
      async () => {
        const [d] = (await events('GET', `/${webhook.id}/deliveries`)).body!.deliveries;
        return d?.history.some((h: { error: string | null }) => h.error === 'no answer within 300 ms');
      },
      10_000,
      'an attempt timed out',
    );
    receiver.answerWith(204);
    await waitUntil(
      async () => (await events('GET', `/${webhook.id}/deliveries`)).body!.deliveries[0].status === 'delivered',
      10_000,
      'delivered once the receiver is quick again',
    );
    expect(receiver.ofType('profile.disabled').length).toBeGreaterThanOrEqual(1);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(1);
  });

  it('replays a delivered event with the same id as a new attempt; a wrong secret or a changed body fails verification', async () => {
    const { webhook, secret } = await subscribe();
    await recordAudit('profile.enabled', { profileId: 'prf-gina-contoso' });
    await waitUntil(() => receiver.received.length === 1, 10_000, 'event received');
    const first = receiver.received[0]!;
    const replayed = await events('POST', `/${webhook.id}/deliveries/${first.id}/replay`);
    expect(replayed.status).toBe(200);
    await waitUntil(() => receiver.received.length === 2, 10_000, 'replay received');
    const second = receiver.received[1]!;
    expect(second.id).toBe(first.id);
    expect(second.body).toBe(first.body);
    expect(second.verified).toBe(true);
    await waitUntil(
      async () => (await events('GET', `/${webhook.id}/deliveries`)).body!.deliveries[0].attempts === 2,
      10_000,
      'replay recorded',
    );
    const [delivery] = (await events('GET', `/${webhook.id}/deliveries`)).body!.deliveries;
    expect(delivery).toMatchObject({ event_id: first.id, status: 'delivered', attempts: 2 });

    const headers = second.headers as Record<string, string>;
    expect(() => new Webhook(secret).verify(second.body, headers)).not.toThrow();
    const otherSecret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    expect(() => new Webhook(otherSecret).verify(second.body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(second.body.replace('prf-gina', 'prf-evil'), headers)).toThrow();
    expect(() => new Webhook(secret).verify(second.body, { ...headers, 'webhook-id': 'another-id' })).toThrow();

    // A rotated secret signs from then on; the old one no longer verifies.
    const rotated = await events('POST', `/${webhook.id}/secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body!.secret).not.toBe(secret);
    receiver.useSecret(rotated.body!.secret);
    await recordAudit('profile.disabled', { profileId: 'prf-gina-contoso' });
    await waitUntil(() => receiver.received.length === 3, 10_000, 'event after rotation');
    expect(receiver.received[2]!.verified).toBe(true);
    expect(() =>
      new Webhook(secret).verify(receiver.received[2]!.body, receiver.received[2]!.headers as never),
    ).toThrow();
  });

  it('keeps events while a subscription is disabled and sends them, in order, once it is enabled', async () => {
    const { webhook } = await subscribe();
    expect((await events('POST', `/${webhook.id}/disable`)).body!.status).toBe('disabled');
    await recordAudit('profile.disabled', { profileId: 'prf-gina-contoso' });
    await broker.services.webhooks.relayOnce();
    expect(receiver.received).toHaveLength(0);
    expect((await events('POST', `/${webhook.id}/enable`)).body!.status).toBe('active');
    await recordAudit('profile.enabled', { profileId: 'prf-gina-contoso' });
    await waitUntil(() => receiver.received.length === 1, 10_000, 'event after enabling');
    expect(receiver.received.map((r) => r.payload.type)).toEqual(['profile.enabled']);
  });
});

describe('the webhook admin API refuses what it must', () => {
  it('answers without a token 401, with another area’s token 403, with forged input 400, for unknown ids 404, all JSON', async () => {
    const none = await admin.call('GET', '/webhooks', undefined);
    expect({ status: none.status, error: none.body!.error }).toEqual({ status: 401, error: 'admin_token_missing' });
    for (const area of ['clients', 'directory', 'support']) {
      const other = await call(area, 'POST', '/webhooks', { url: receiver.url() });
      expect({ status: other.status, error: other.body!.error }).toEqual({ status: 403, error: 'insufficient_scope' });
    }
    for (const body of [
      { url: 'ftp://portal.example/hooks' },
      { url: 'not a url' },
      { url: receiver.url(), events: ['profile.deleted'] },
      { url: receiver.url(), secret: 'whsec_mine' },
      { url: receiver.url(), events: 'all' },
      {},
    ]) {
      const refused = await events('POST', '', body);
      expect(refused.status).toBe(400);
      expect(refused.body!.error).toMatch(/^(invalid_input|webhook_url_refused)$/);
      expect(refused.body!.message).toEqual(expect.any(String));
    }
    const unknown = await events('GET', '/wh-nope');
    expect({ status: unknown.status, error: unknown.body!.error }).toEqual({ status: 404, error: 'webhook_not_found' });
    const { webhook } = await subscribe();
    const noDelivery = await events('POST', `/${webhook.id}/deliveries/NOPE-NOPE-NOPE/replay`);
    expect(noDelivery.status).toBe(404);
    expect(noDelivery.body!.error).toBe('webhook_delivery_not_found');
    const badCursor = await events('GET', `/${webhook.id}/deliveries?after=%%%`);
    expect(badCursor.status).toBe(400);
    const list = (await events('GET', '')).body!;
    expect(JSON.stringify(list)).not.toContain('whsec_');
    // Subscription changes are audited, with the URL's origin only.
    const audit = await admin.call('GET', '/audit/events?action=webhook.created', await admin.token('admin:audit'));
    expect(audit.body!.events[0]).toMatchObject({
      details: { webhook: webhook.id, origin: new URL(receiver.url()).origin },
    });
  });
});

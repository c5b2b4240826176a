import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { startBroker, TEST_PORTAL, type TestBroker } from '../support/broker.ts';
import { adminApi } from '../support/admin-api.ts';
import { completeAssociation, requestAssociation, signIn } from '../support/flows.ts';
import { createPortal, type Portal } from '../support/portal.ts';
import { linkIn, startSmtp, type SmtpCapture } from '../support/smtp.ts';

const ROOT = { id: 'root-admin', secret: 'root-admin-secret-0123456789abcdefghij' };
const ADDRESS = 'erin.evans@contoso.example';

/**
 * Lines written outside any request, by what runs on its own: start-up, the stores' connections, queue workers
 * (BullMQ's, with Redis) and the periodic relays. Every other line is written while a request is handled.
 */
const OUTSIDE_REQUESTS = /^(clients\.|keys\.|redis\.|mongo\.|mail\.(sent|retry)$|webhooks\.|association\.notice_relay)/;

let smtp: SmtpCapture;
let broker: TestBroker;
let portal: Portal;

beforeAll(async () => {
  smtp = await startSmtp();
  broker = await startBroker({
    mail: { smtpUrl: smtp.url, retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 } },
    admin: { clientId: ROOT.id, clientSecret: ROOT.secret },
  });
  portal = await createPortal(broker.issuer);
});
afterAll(async () => {
  await broker.close();
  await smtp.close();
});

describe('log lines of a first login and an admin API call', () => {
  it('carry request ids, one access line per request with its route, and no address, token, code, secret or cookie', async () => {
    const from = broker.logs.length;
    const browser = new Browser();
    browser.extraHeaders = { 'x-request-id': 'first-login-1' };
    const { sent, checks } = await requestAssociation(browser, portal, 'erin', ADDRESS);
    expect(sent.status).toBe(200);
    expect(sent.headers.get('x-request-id')).toBe('first-login-1');

    await smtp.waitFor(() => smtp.to(ADDRESS).some((m) => (m.text ?? '').includes(broker.issuer)));
    const link = linkIn(
      smtp.to(ADDRESS).find((m) => (m.text ?? '').includes(broker.issuer))!,
      broker.issuer,
    );
    const linkToken = link.split('/associate/')[1]!;
    const linkBrowser = new Browser();
    linkBrowser.extraHeaders = { 'x-request-id': 'link-redemption-1' };
    const success = await completeAssociation(linkBrowser, link, 'erin');
    expect(success.status).toBe(200);

    const back = await browser.go(sent.url, { stopAt: [portal.redirectUri] });
    const callback = new URL(back.stopped!);
    const first = await portal.redeem(back.stopped!, checks);

    // The next sign-in in another browser: no first login any more.
    const again = new Browser();
    again.extraHeaders = { 'x-request-id': 'sign-in-again-1' };
    const second = await signIn(again, portal, 'erin');
    expect(second.claims.sub).toBe('prf-erin-contoso');

    const api = adminApi(broker.issuer, ROOT);
    const adminToken = await api.token('admin:audit');
    const audit = await api.call('GET', '/audit/events?limit=50', adminToken, undefined, {
      'x-request-id': 'admin-call-1',
    });
    expect(audit.status).toBe(200);
    expect(audit.headers.get('x-request-id')).toBe('admin-call-1');
    // Without an X-Request-Id, the trace id of a W3C traceparent is the request's id.
    const traced = await api.call('GET', '/audit/events?limit=1', adminToken, undefined, {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    expect(traced.headers.get('x-request-id')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    // Oversized: ignored, and a new id made.
    const oversized = await api.call('GET', '/audit/events?limit=1', adminToken, undefined, {
      'x-request-id': 'x'.repeat(200),
    });
    expect(oversized.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    await broker.services.tasks.drain();
    const lines = broker.logs.slice(from);
    const access = lines.filter((l) => l.event === 'http.request');

    // Every line written during a request names it, and each request named has its one access line.
    const withoutId = lines.filter((l) => typeof l.request_id !== 'string');
    expect(withoutId.filter((l) => !OUTSIDE_REQUESTS.test(l.event)).map((l) => l.event)).toEqual([]);
    const accessIds = access.map((l) => l.request_id);
    for (const line of lines.filter((l) => typeof l.request_id === 'string'))
      expect(accessIds).toContain(line.request_id);

    // One access line per request, with the id the test sent and the route's template, never its path.
    const accessOf = (id: string) => access.filter((l) => l.request_id === id);
    expect(accessOf('admin-call-1')).toEqual([
      {
        level: 'info',
        time: expect.any(String),
        event: 'http.request',
        request_id: 'admin-call-1',
        method: 'GET',
        route: '/admin/api/v1/audit/events',
        status: 200,
        duration_ms: expect.any(Number),
        client_id: ROOT.id,
      },
    ]);
    expect(accessOf('4bf92f3577b34da6a3ce929d0e0e4736')).toHaveLength(1);
    expect(accessOf('first-login-1').map((l) => l.route)).toEqual(
      expect.arrayContaining([
        '/auth',
        '/interaction/:uid',
        '/interaction/:uid/upstream',
        '/interaction/:uid/associate',
      ]),
    );
    expect(accessOf('first-login-1').find((l) => l.route === '/interaction/:uid/associate')).toMatchObject({
      method: 'POST',
      client_id: TEST_PORTAL.client_id,
    });
    expect(accessOf('link-redemption-1').map((l) => l.route)).toContain('/associate/:token');
    expect(access.find((l) => l.route === '/token' && l.client_id === TEST_PORTAL.client_id)).toBeDefined();
    for (const line of access) {
      expect(String(line.route)).not.toContain(linkToken);
      expect(line.route).toMatch(/^\/|^\(unmatched\)$/);
    }

    // Nothing secret in any line: not the address, the link, the code, the tokens, the secrets, or a cookie.
    const cookies = [
      ...(await browser.jar.getCookies(broker.issuer)),
      ...(await linkBrowser.jar.getCookies(broker.issuer)),
      ...(await again.jar.getCookies(broker.issuer)),
    ].map((c) => c.value);
    expect(cookies.length).toBeGreaterThan(0);
    const secrets = [
      ADDRESS,
      'Erin.Evans',
      linkToken,
      linkToken.slice(0, 20),
      callback.searchParams.get('code')!,
      first.access_token,
      first.id_token!,
      second.tokens.access_token,
      ...(first.refresh_token ? [first.refresh_token] : []),
      TEST_PORTAL.client_secret,
      ROOT.secret,
      adminToken,
      ...cookies.filter((value) => value.length >= 8),
    ];
    const text = JSON.stringify(lines);
    for (const secret of secrets) expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
  });

  it('records the request id with every audit event of the flow', async () => {
    const events = await broker.services.audit.query({ profileId: 'prf-erin-contoso', limit: 20 });
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['association.link_issued', 'association.created', 'sign_in.succeeded']),
    );
    expect(events.find((e) => e.action === 'association.link_issued')?.requestId).toBe('first-login-1');
    expect(events.find((e) => e.action === 'association.created')?.requestId).toBe('link-redemption-1');
    expect(events.filter((e) => e.action === 'sign_in.succeeded').map((e) => e.requestId)).toContain('sign-in-again-1');
    for (const event of events) expect(event.requestId).toEqual(expect.any(String));
  });
});

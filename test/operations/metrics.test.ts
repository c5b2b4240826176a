import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { isolatedStoresEnv, TEST_PORTAL } from '../support/broker.ts';
import { authorize, completeAssociation, requestAssociation, signIn, signInUpstream } from '../support/flows.ts';
import { startLogoutReceiver, type LogoutReceiver } from '../support/logout-receiver.ts';
import { startMongo } from '../support/mongo.ts';
import { createPortal, type Portal } from '../support/portal.ts';
import { spawnBroker } from '../support/process-broker.ts';
import { startRedis } from '../support/redis.ts';
import { freePort } from '../support/free-port.ts';
import { linkIn, startSmtp, type SmtpCapture } from '../support/smtp.ts';
import { waitUntil } from '../support/wait.ts';

// A broker process with a metrics port, on the production stores (Redis and a MongoDB-protocol server), after the
// things an operator watches have happened once each: a first login (association request, link mail, redemption),
// a sign-in, a refused sign-in, a sign-out with a back-channel logout, and the demo webhook inbox's deliveries.
let redis: Awaited<ReturnType<typeof startRedis>>;
let mongo: Awaited<ReturnType<typeof startMongo>>;
let smtp: SmtpCapture;
let receiver: LogoutReceiver;
let broker: Awaited<ReturnType<typeof spawnBroker>>;
let portal: Portal;
let metricsUrl: string;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus's text format, sample lines only: `name{a="b",…} value`. */
function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

async function scrape() {
  const response = await fetch(metricsUrl);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const text = await response.text();
  return { text, samples: parseSamples(text) };
}

/** The sum of a family's samples whose labels include `labels`. */
const total = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);

beforeAll(async () => {
  [redis, mongo, smtp, receiver] = await Promise.all([startRedis(), startMongo(), startSmtp(), startLogoutReceiver()]);
  const metricsPort = await freePort();
  broker = await spawnBroker(
    {
      clients: [{ ...TEST_PORTAL, backchannel_logout_uri: receiver.url }],
      mail: { smtpUrl: smtp.url, from: 'Broker <no-reply@broker.example>' },
    },
    { ...isolatedStoresEnv(redis.url, mongo.uri), METRICS_PORT: String(metricsPort), METRICS_HOST: '127.0.0.1' },
  );
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  portal = await createPortal(broker.issuer);
}, 90_000);
afterAll(async () => {
  await broker?.stop();
  await Promise.all([smtp?.close(), receiver?.close(), redis?.stop(), mongo?.stop()]);
});

describe('Prometheus metrics on the management port', () => {
  it('counts a first login, a sign-in, a refusal, a sign-out and the deliveries, by family and label', async () => {
    // First login: Erin asks for her link, opens it and signs in upstream again as the same account.
    const browser = new Browser();
    await requestAssociation(browser, portal, 'erin', 'erin.evans@contoso.example');
    await smtp.waitFor(() => smtp.to('erin.evans@contoso.example').length > 0, 30_000);
    const landed = await completeAssociation(
      browser,
      linkIn(smtp.to('erin.evans@contoso.example')[0]!, broker.issuer),
      'erin',
    );
    expect(landed.status).toBeLessThan(400);

    // A sign-in, then the broker sign-out that tells the portal by back-channel.
    const alice = new Browser();
    const { tokens } = await signIn(alice, portal, 'alice');
    const confirm = await alice.go(portal.endSessionUrl({ id_token_hint: tokens.id_token! }));
    await alice.submit(confirm, 'form#op\\.logoutForm', {}, { submitter: 'button[value="yes"]', stopAt: [] });
    await waitUntil(() => receiver.received.length > 0, 30_000, 'back-channel logout token received');

    // Carol's only profile has an expired contract: the portal refuses her.
    const carol = new Browser();
    const { page } = await authorize(carol, portal);
    const refused = await signInUpstream(carol, page, 'carol', { stopAt: [portal.redirectUri] });
    expect(refused.status).toBe(403);

    // Counters are bumped after the answer, by the queues' workers: wait for the last of them.
    let scraped = await scrape();
    await waitUntil(
      async () => {
        scraped = await scrape();
        return (
          total(scraped.samples, 'broker_deliveries_total', { channel: 'backchannel', outcome: 'delivered' }) >= 1 &&
          total(scraped.samples, 'broker_deliveries_total', { channel: 'webhook', outcome: 'delivered' }) >= 1
        );
      },
      30_000,
      'deliveries counted',
    );
    const { text, samples } = scraped;
    const client = TEST_PORTAL.client_id;

    // Alice signed in; Erin's first login ends on the association's success page, not yet at the portal.
    expect(total(samples, 'broker_sign_ins_total', { outcome: 'signed_in', client, upstream: 'demo' })).toBe(1);
    expect(total(samples, 'broker_sign_ins_total', { outcome: 'refused', client, upstream: 'demo' })).toBe(1);
    for (const event of ['requested', 'link_issued', 'redeemed'])
      expect(total(samples, 'broker_association_events_total', { event })).toBe(1);
    expect(total(samples, 'broker_mail_messages_total', { outcome: 'sent' })).toBeGreaterThanOrEqual(1);
    expect(total(samples, 'broker_queue_depth', { queue: 'mail', state: 'failed' })).toBe(0);
    expect(samples.some((s) => s.name === 'broker_queue_depth' && s.labels.state === 'pending')).toBe(true);

    // Upstream calls by endpoint: discovery once, a token request per upstream sign-in (Erin, Alice, Carol, and
    // Erin again for the link's re-authentication), each timed.
    expect(
      total(samples, 'broker_upstream_request_duration_seconds_count', { upstream: 'demo', endpoint: 'discovery' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      total(samples, 'broker_upstream_request_duration_seconds_count', { upstream: 'demo', endpoint: 'token' }),
    ).toBe(4);
    expect(total(samples, 'broker_upstream_errors_total')).toBe(0);

    // Requests by route template, never by path: the link's page is /associate/:token, the refusal a 403.
    expect(
      total(samples, 'broker_http_request_duration_seconds_count', { method: 'POST', route: '/token', status: '200' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      total(samples, 'broker_http_request_duration_seconds_count', { method: 'GET', route: '/associate/:token' }),
    ).toBe(1);
    expect(
      total(samples, 'broker_http_request_duration_seconds_count', { route: '/interaction/:uid', status: '403' }),
    ).toBe(1);

    // Store calls by store and operation.
    expect(total(samples, 'broker_store_operation_duration_seconds_count', { store: 'directory' })).toBeGreaterThan(0);
    expect(total(samples, 'broker_store_operation_duration_seconds_count', { store: 'links' })).toBeGreaterThan(0);
    expect(
      total(samples, 'broker_store_operation_duration_seconds_count', { store: 'oidc.Session', operation: 'upsert' }),
    ).toBeGreaterThan(0);
    expect(total(samples, 'broker_store_errors_total')).toBe(0);

    // The release, and Node.js's own.
    const build = samples.find((s) => s.name === 'broker_build_info');
    expect(build).toMatchObject({ value: 1, labels: { version: expect.stringMatching(/^\d+\.\d+\.\d+/) } });
    for (const family of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds'])
      expect(samples.some((s) => s.name === family)).toBe(true);

    // Every family is declared, those that saw nothing yet (expired links, failed mail) included.
    for (const family of [
      'broker_http_request_duration_seconds',
      'broker_sign_ins_total',
      'broker_upstream_request_duration_seconds',
      'broker_upstream_errors_total',
      'broker_association_events_total',
      'broker_mail_messages_total',
      'broker_queue_depth',
      'broker_deliveries_total',
      'broker_store_operation_duration_seconds',
      'broker_store_errors_total',
      'broker_build_info',
    ])
      expect(text).toContain(`# TYPE ${family} `);

    // The dashboard in the repository reads only families that exist.
    const dashboard = readFileSync(join(import.meta.dirname, '../../docs/grafana/broker-dashboard.json'), 'utf8');
    const used = new Set(
      [...dashboard.matchAll(/\b((?:broker|process|nodejs)_\w+?)(?:_bucket|_count|_sum)?\b/g)].map((m) => m[1]!),
    );
    expect(used.size).toBeGreaterThan(10);
    for (const family of used) expect(`${family}: ${text.includes(`# TYPE ${family} `)}`).toBe(`${family}: true`);

    // Nothing a person typed or was sent: no email address, no link token, no path with an id in it.
    expect(text).not.toMatch(/@/);
    expect(text).not.toMatch(/\/associate\/[A-Za-z0-9_-]{16,}/);
    expect(text).not.toContain('prf-');
  }, 120_000);

  it('is not served on the public port, and the management port serves nothing else', async () => {
    expect((await fetch(`${broker.issuer}/metrics`)).status).toBe(404);
    const other = await fetch(metricsUrl.replace('/metrics', '/healthz'));
    expect(other.status).toBe(404);
    expect(await other.text()).toContain('Only /metrics');
    expect((await fetch(metricsUrl, { method: 'POST' })).status).toBe(405);
    // The demo's home page points to them.
    expect(await (await fetch(`${broker.issuer}/`)).text()).toContain(`href="${metricsUrl}"`);
  });
});

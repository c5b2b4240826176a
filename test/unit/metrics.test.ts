import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/load.ts';
import { timedFetch } from '../../src/federation/timed-fetch.ts';
import { countedDeliveries } from '../../src/observability/counted-deliveries.ts';
import { countingOutcomes } from '../../src/observability/counted-outcomes.ts';
import { measuredStores } from '../../src/observability/measured-stores.ts';
import { createPrometheusMetrics, type PrometheusMetrics } from '../../src/observability/prometheus-metrics.ts';
import type { ConfigError } from '../../src/shared/errors.ts';
import { PermanentJobFailure } from '../../src/shared/job-queue.ts';
import { noMetrics } from '../../src/shared/metrics.ts';
import { chooseStores } from '../../src/stores/choose-stores.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { createMemoryAuditLog } from '../../src/stores/memory/audit-log.ts';
import { freePort } from '../support/free-port.ts';

/** A family's samples as prom-client reports them: [labels, value] for each. */
async function valuesOf(metrics: PrometheusMetrics, name: string) {
  const family = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (family?.values ?? []).map((v) => [v.labels, v.value] as const);
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('metrics configuration', () => {
  it('is off without METRICS_PORT, and refuses the public port for it', () => {
    expect(loadConfig({}).metrics).toEqual({ host: '0.0.0.0' });
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '127.0.0.1' }).metrics).toEqual({
      port: 9464,
      host: '127.0.0.1',
    });
    let problems: string[] = [];
    try {
      loadConfig({ PORT: '8080', METRICS_PORT: '8080' });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems.join('\n')).toContain('METRICS_PORT must differ from PORT');
  });
});

describe('store metrics', () => {
  it('time every asynchronous store call by store and operation, and count the ones that throw', async () => {
    const metrics = createPrometheusMetrics();
    const chosen = await chooseStores(loadConfig({}), {
      clock: systemClock,
      logger: silent,
      seed: { organisations: [], profiles: [], associations: [] },
    });
    const stores = measuredStores(
      { ...chosen, links: { ...chosen.links, claim: async () => Promise.reject(new Error('down')) } },
      metrics,
    );
    expect(await stores.directory.getProfile('nobody')).toBeUndefined();
    await expect(stores.links.claim('hash', new Date(), 'someone')).rejects.toThrow('down');
    const limiter = stores.rateLimiter({ keyPrefix: 'x', points: 1, windowSeconds: 60 });
    await limiter.consume('key');
    await stores.adapter('Session').find('missing');

    const counts = await valuesOf(metrics, 'broker_store_operation_duration_seconds');
    const count = (store: string, operation: string) =>
      counts.find(([l]) => l.store === store && l.operation === operation && String(l.le) === '+Inf')?.[1];
    expect(count('directory', 'getProfile')).toBe(1);
    expect(count('links', 'claim')).toBe(1);
    expect(count('rate_limits', 'consume')).toBe(1);
    expect(count('oidc.Session', 'find')).toBe(1);
    expect(await valuesOf(metrics, 'broker_store_errors_total')).toEqual([[{ store: 'links', operation: 'claim' }, 1]]);
    await chosen.close();
  });

  it('leave the stores untouched without a metrics port', async () => {
    const chosen = await chooseStores(loadConfig({}), {
      clock: systemClock,
      logger: silent,
      seed: { organisations: [], profiles: [], associations: [] },
    });
    expect(measuredStores(chosen, noMetrics)).toBe(chosen);
    await chosen.close();
  });
});

describe('upstream call metrics', () => {
  let url: string;
  const server = createServer((req, res) => {
    if (req.url === '/token') res.writeHead(503).end('{"error":"temporarily_unavailable"}');
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('are timed by endpoint, with a 5xx, a refusal to connect and a timeout counted as errors by reason', async () => {
    const metrics = createPrometheusMetrics();
    const fetcher = timedFetch('acme', metrics, () => ({ issuer: url, token_endpoint: `${url}/token` }));
    const options = { body: undefined, headers: {}, method: 'GET', redirect: 'manual' as const };
    expect((await fetcher(`${url}/.well-known/openid-configuration`, options)).status).toBe(200);
    expect((await fetcher(`${url}/token`, { ...options, method: 'POST' })).status).toBe(503);
    const closed = await freePort();
    await expect(fetcher(`http://127.0.0.1:${closed}/token`, options)).rejects.toThrow();
    await expect(
      fetcher(`${url}/token`, { ...options, signal: AbortSignal.abort(new DOMException('t', 'TimeoutError')) }),
    ).rejects.toThrow();

    const counts = (await valuesOf(metrics, 'broker_upstream_request_duration_seconds'))
      .filter(([l]) => String(l.le) === '+Inf')
      .map(([l, v]) => [l.endpoint, v]);
    expect(counts).toEqual(expect.arrayContaining([['discovery', 1]]));
    expect(await valuesOf(metrics, 'broker_upstream_errors_total')).toEqual(
      expect.arrayContaining([
        [{ upstream: 'acme', endpoint: 'token', reason: 'server_error' }, 1],
        [{ upstream: 'acme', endpoint: 'other', reason: 'unreachable' }, 1],
        [{ upstream: 'acme', endpoint: 'token', reason: 'timeout' }, 1],
      ]),
    );
  });
});

describe('delivery and outcome counts', () => {
  it('count a back-channel attempt as retried until the last, which fails; a permanent failure fails at once', async () => {
    const metrics = createPrometheusMetrics();
    const retry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 };
    const handler = countedDeliveries<string>(
      'backchannel',
      async (job) => {
        if (job.data === 'permanent') throw new PermanentJobFailure('gone');
        if (job.data === 'flaky') throw new Error('down');
      },
      retry,
      metrics,
    );
    const job = (data: string, attempt: number) => ({ id: data, kind: 'logout', data, attempt });
    await handler(job('fine', 1));
    await expect(handler(job('flaky', 1))).rejects.toThrow();
    await expect(handler(job('flaky', 3))).rejects.toThrow();
    await expect(handler(job('permanent', 1))).rejects.toThrow();
    expect(await valuesOf(metrics, 'broker_deliveries_total')).toEqual([
      [{ channel: 'backchannel', outcome: 'delivered' }, 1],
      [{ channel: 'backchannel', outcome: 'retried' }, 1],
      [{ channel: 'backchannel', outcome: 'failed' }, 2],
    ]);
  });

  it('count sign-ins and association steps as the audit log records them, by portal and upstream', async () => {
    const metrics = createPrometheusMetrics();
    const audit = countingOutcomes(createMemoryAuditLog({ retentionDays: 30, clock: systemClock }), metrics);
    const at = new Date();
    await audit.record({
      id: 'A1',
      at,
      action: 'sign_in.succeeded',
      outcome: 'success',
      actor: 'person:msa:123',
      clientId: 'portal',
      details: { upstream: 'msa', single_sign_on: true },
    });
    await audit.record({
      id: 'A2',
      at,
      action: 'sign_in.refused',
      outcome: 'failure',
      actor: 'person:msa:9',
      clientId: 'portal',
    });
    await audit.record({ id: 'A3', at, action: 'association.refused', outcome: 'failure', actor: 'person:msa:9' });
    expect(await valuesOf(metrics, 'broker_sign_ins_total')).toEqual([
      [{ outcome: 'single_sign_on', client: 'portal', upstream: 'msa' }, 1],
      [{ outcome: 'refused', client: 'portal', upstream: 'msa' }, 1],
    ]);
    expect(await valuesOf(metrics, 'broker_association_events_total')).toEqual([[{ event: 'refused' }, 1]]);
    expect((await audit.query({ limit: 10 })).map((e) => e.id).sort()).toEqual(['A1', 'A2', 'A3']);
  });
});

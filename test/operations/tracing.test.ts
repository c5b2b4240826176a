import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Browser } from '../support/browser.ts';
import { isolatedStoresEnv } from '../support/broker.ts';
import { authorize } from '../support/flows.ts';
import { startMongo } from '../support/mongo.ts';
import { startOtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.ts';
import { createPortal } from '../support/portal.ts';
import { spawnBroker } from '../support/process-broker.ts';
import { startRedis } from '../support/redis.ts';
import { rogueUpstreamConfig, startRogueUpstream } from '../support/rogue-upstream.ts';
import { waitUntil } from '../support/wait.ts';

// Broker processes with OpenTelemetry tracing (docs/decisions/0024) exporting to a collector in this test, on the
// production stores: a brokered sign-in's upstream callback reads the directory (MongoDB), the interaction (Redis)
// and redeems the upstream's code (fetch).
let redis: Awaited<ReturnType<typeof startRedis>>;
let mongo: Awaited<ReturnType<typeof startMongo>>;
let rogue: Awaited<ReturnType<typeof startRogueUpstream>>;
let collector: Awaited<ReturnType<typeof startOtlpReceiver>>;
let seedFile: string;

const MODULE_WATCH = join(import.meta.dirname, '..', 'support', 'module-watch.ts');
/** The watch hook in the broker process: it prints `module-watch: <url>` for each OpenTelemetry module loaded. */
const watchModules = { NODE_OPTIONS: `--import=${pathToFileURL(MODULE_WATCH).href}` };

beforeAll(async () => {
  [redis, mongo, collector] = await Promise.all([startRedis(), startMongo(), startOtlpReceiver()]);
  rogue = await startRogueUpstream({
    clientId: 'broker-at-rogue',
    subject: 'rogue-erin',
    email: 'erin@outlook.example',
    foreignIssuer: 'http://127.0.0.1:9/foreign',
  });
  // The demo directory, with Erin's profile associated with her account at the rogue upstream: one profile, so the
  // callback leads straight back to the portal.
  const seed = JSON.parse(readFileSync(join(import.meta.dirname, '../../config/demo/directory.json'), 'utf8'));
  seed.associations.push({ profileId: 'prf-erin-contoso', upstreamId: 'rogue', subject: 'rogue-erin' });
  seedFile = join(mkdtempSync(join(tmpdir(), 'tracing-seed-')), 'directory.json');
  writeFileSync(seedFile, JSON.stringify(seed));
}, 60_000);
afterAll(async () => {
  await Promise.all([rogue?.close(), collector?.close(), redis?.stop(), mongo?.stop()]);
});

function tracedBroker(env: Record<string, string> = {}) {
  return spawnBroker(
    { directorySeedFile: seedFile, upstreams: [rogueUpstreamConfig(rogue.issuer)] },
    {
      LOG_LEVEL: 'info',
      ...isolatedStoresEnv(redis.url, mongo.uri),
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'broker-under-test',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      ...env,
    },
  );
}

interface LogLine {
  event: string;
  request_id?: string;
  trace_id?: string;
  span_id?: string;
  route?: string;
  tracing?: string;
}
const logLines = (output: string): LogLine[] =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
const accessLine = (output: string, requestId: string) =>
  logLines(output).find((line) => line.event === 'http.request' && line.request_id === requestId);

/** The spans of a trace received so far. */
const spansOf = (traceId: string) => collector.spans.filter((span) => span.traceId === traceId);
const SERVER = 2;
const CLIENT = 3;

/** Whether `span`'s chain of parents, within its trace, reaches `ancestor`. */
function descendsFrom(span: ReceivedSpan, ancestor: ReceivedSpan, trace: ReceivedSpan[]): boolean {
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  for (let parent = span.parentSpanId; parent; parent = byId.get(parent)?.parentSpanId) {
    if (parent === ancestor.spanId) return true;
  }
  return false;
}

describe('tracing with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  it('traces an upstream callback: its Redis, MongoDB and fetch spans under the server span, its log lines with the trace id', async () => {
    const broker = await tracedBroker();
    try {
      expect(logLines(broker.output()).find((line) => line.event === 'broker.listening')?.tracing).toBe('http/json');
      const portal = await createPortal(broker.issuer);
      const browser = new Browser();
      const { page } = await authorize(browser, portal);
      const atCallback = await browser.submit(
        page,
        'form[action$="/upstream"]',
        {},
        { submitter: 'button[value="rogue"]', stopAt: [`${broker.issuer}/upstream/callback/`] },
      );
      expect(atCallback.stopped).toContain('/upstream/callback/rogue');
      const tokenRequests = rogue.state.tokenRequests;
      // The callback alone, its redirect not followed: one request, one trace.
      const callback = await browser.request(atCallback.stopped!);
      expect(callback.status).toBeGreaterThanOrEqual(300);
      expect(callback.status).toBeLessThan(400);
      expect(rogue.state.tokenRequests).toBe(tokenRequests + 1);

      // The access line of that request names its trace.
      const requestId = callback.headers.get('x-request-id')!;
      await waitUntil(() => accessLine(broker.output(), requestId) !== undefined, 10_000, 'the access line');
      const access = accessLine(broker.output(), requestId)!;
      expect(access.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(access.span_id).toMatch(/^[0-9a-f]{16}$/);
      const traceId = access.trace_id!;

      // Its spans arrive at the collector: the server span first of all, named by the route template.
      const has = (what: (span: ReceivedSpan) => boolean) => spansOf(traceId).some(what);
      const isRedis = (span: ReceivedSpan) => span.scope.endsWith('instrumentation-ioredis');
      const isMongo = (span: ReceivedSpan) => span.scope.endsWith('instrumentation-mongodb');
      const isFetch = (span: ReceivedSpan) => span.scope.endsWith('instrumentation-undici') && span.kind === CLIENT;
      await waitUntil(
        () => has((s) => s.kind === SERVER) && has(isRedis) && has(isMongo) && has(isFetch),
        30_000,
        'the callback trace with its server, Redis, MongoDB and fetch spans',
      ).catch((err) => { console.log(JSON.stringify(collector.spans.map((s) => [s.scope, s.kind, s.name, s.traceId.slice(0,6), s.spanId.slice(0,6), s.parentSpanId?.slice(0,6)])), traceId, broker.output().slice(-3000)); throw err; });
      const trace = spansOf(traceId);
      const servers = trace.filter((s) => s.kind === SERVER);
      expect(servers).toHaveLength(1);
      const server = servers[0]!;
      expect(server.service).toBe('broker-under-test');
      expect(server.name).toBe(`GET ${access.route}`);
      expect(server.attributes['http.route']).toBe(access.route);
      expect(server.parentSpanId).toBeUndefined();

      for (const span of trace.filter((s) => isRedis(s) || isMongo(s) || isFetch(s))) {
        expect({ span: span.name, underServer: descendsFrom(span, server, trace) }).toEqual({
          span: span.name,
          underServer: true,
        });
      }
      const fetches = trace.filter(isFetch);
      expect(fetches.some((s) => String(s.attributes['url.full']).startsWith(`${rogue.issuer}/token`))).toBe(true);
      // Redis spans name the command only, never its keys.
      expect(trace.filter(isRedis).every((s) => !String(s.attributes['db.statement'] ?? '').includes(' '))).toBe(true);
    } finally {
      await broker.stop('SIGKILL');
    }
  }, 90_000);

  it('puts the trace id beside the error reference, keeps link tokens out of spans, and exports the last spans on SIGTERM', async () => {
    // Spans wait for a full minute before export: only the stop's flush can bring them.
    const broker = await tracedBroker({ OTEL_BSP_SCHEDULE_DELAY: '60000' });
    try {
      const json = await fetch(`${broker.issuer}/associate/a-link-token-never-traced`, {
        headers: { Accept: 'application/json' },
      });
      const body = (await json.json()) as { reference?: string; trace_id?: string };
      expect(body.reference).toBeDefined();
      expect(body.trace_id).toMatch(/^[0-9a-f]{32}$/);
      const access = accessLine(broker.output(), json.headers.get('x-request-id')!);
      expect(access?.trace_id).toBe(body.trace_id);

      const page = await (await fetch(`${broker.issuer}/no-such-page`, { headers: { Accept: 'text/html' } })).text();
      expect(page).toMatch(/Reference: <strong>[0-9A-F-]+<\/strong> · <span class="trace">trace [0-9a-f]{32}<\/span>/);

      expect(collector.spans.filter((s) => s.traceId === body.trace_id)).toEqual([]);
      expect(await broker.exitCodeAfter('SIGTERM')).toBe(0);
      expect(broker.output()).toContain('shutdown.traces_flushed');
      const trace = spansOf(body.trace_id!);
      expect(trace.filter((s) => s.kind === SERVER)).toHaveLength(1);
      expect(JSON.stringify(collector.spans)).not.toContain('a-link-token-never-traced');
    } finally {
      await broker.stop('SIGKILL');
    }
  }, 60_000);

  it('loads OpenTelemetry in the broker process (the module watch sees it)', async () => {
    // The positive control for the next test: the watch hook does report OpenTelemetry modules when they load.
    const broker = await tracedBroker(watchModules);
    try {
      expect(broker.output()).toMatch(/module-watch: .*@opentelemetry\/sdk-trace-node/);
    } finally {
      await broker.stop('SIGKILL');
    }
  }, 60_000);
});

describe('tracing without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('loads no OpenTelemetry module, says tracing is off, and adds no trace ids', async () => {
    const broker = await spawnBroker(
      { directorySeedFile: seedFile, upstreams: [rogueUpstreamConfig(rogue.issuer)] },
      { LOG_LEVEL: 'info', ...isolatedStoresEnv(redis.url, mongo.uri), ...watchModules },
    );
    try {
      const answer = await fetch(`${broker.issuer}/no-such-page`, { headers: { Accept: 'application/json' } });
      const body = (await answer.json()) as Record<string, unknown>;
      expect(body.reference).toBeDefined();
      expect(body).not.toHaveProperty('trace_id');
      await waitUntil(
        () => accessLine(broker.output(), answer.headers.get('x-request-id')!) !== undefined,
        10_000,
        'the access line',
      );
      const lines = logLines(broker.output());
      expect(lines.find((line) => line.event === 'broker.listening')?.tracing).toBe('off');
      expect(lines.filter((line) => 'trace_id' in line)).toEqual([]);
      expect(broker.output()).not.toContain('module-watch:');
    } finally {
      await broker.stop('SIGKILL');
    }
  }, 60_000);
});

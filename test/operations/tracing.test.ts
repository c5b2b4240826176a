import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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
import { rogueUpstreamConfig, startRogueErin } from '../support/rogue-upstream.ts';
import { freePort } from '../support/free-port.ts';
import { waitUntil } from '../support/wait.ts';

// Broker processes with OpenTelemetry tracing (docs/decisions/0024) exporting to a collector in this test, on the
// production stores: a brokered sign-in's upstream callback reads the directory (MongoDB), the interaction (Redis)
// and redeems the upstream's code (fetch).
let redis: Awaited<ReturnType<typeof startRedis>>;
let mongo: Awaited<ReturnType<typeof startMongo>>;
let rogue: Awaited<ReturnType<typeof startRogueErin>>['rogue'];
let collector: Awaited<ReturnType<typeof startOtlpReceiver>>;
let seedFile: string;

const MODULE_WATCH = join(import.meta.dirname, '..', 'support', 'module-watch.ts');
/** The watch hook in the broker process: it prints `module-watch: <url>` for each OpenTelemetry module loaded. */
const watchModules = { NODE_OPTIONS: `--import=${pathToFileURL(MODULE_WATCH).href}` };

beforeAll(async () => {
  [redis, mongo, collector] = await Promise.all([startRedis(), startMongo(), startOtlpReceiver()]);
  ({ rogue, seedFile } = await startRogueErin());
}, 60_000);
afterAll(async () => {
  await Promise.all([rogue?.close(), collector?.close(), redis?.stop(), mongo?.stop()]);
});

function tracedBroker(env: Record<string, string> = {}) {
  return spawnBroker(
    { directorySeedFile: seedFile, upstreams: [rogueUpstreamConfig(rogue.issuer)] },
    {
      LOG_LEVEL: 'info',
      // Without the demo's own portal and webhook receiver: the requests in the log are the test's.
      DEMO: 'false',
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
  method?: string;
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
  it('traces a brokered sign-in: Redis, MongoDB and fetch spans under their request, log lines with the trace id', async () => {
    const broker = await tracedBroker();
    try {
      expect(logLines(broker.output()).find((line) => line.event === 'broker.listening')?.tracing).toBe('http/json');
      const portal = await createPortal(broker.issuer);
      const browser = new Browser();
      const { page, checks } = await authorize(browser, portal);
      const atCallback = await browser.submit(
        page,
        'form[action$="/upstream"]',
        {},
        { submitter: 'button[value="rogue"]', stopAt: [`${broker.issuer}/upstream/callback/`] },
      );
      expect(atCallback.stopped).toContain('/upstream/callback/rogue');
      // The callback alone, its redirect not followed yet: the request that redeems the upstream's code (fetch) and
      // keeps the identity with the interaction (Redis).
      const callback = await browser.request(atCallback.stopped!);
      expect(callback.status).toBe(303);
      const callbackRequestId = callback.headers.get('x-request-id')!;
      // The rest of the sign-in, which finds Erin's profile in the directory (MongoDB), back to the portal.
      const back = await browser.go(new URL(callback.headers.get('location')!, broker.issuer).href, {
        stopAt: [portal.redirectUri],
      });
      expect((await portal.redeem(back.stopped!, checks)).claims()!.sub).toBe('prf-erin-contoso');

      // Each request's access line names its trace: the callback's, and those of the requests after it.
      const lines = logLines(broker.output());
      const at = lines.findIndex((line) => line.event === 'http.request' && line.request_id === callbackRequestId);
      expect(at).toBeGreaterThanOrEqual(0);
      const requests = lines.slice(at).filter((line) => line.event === 'http.request' && line.route !== '/healthz');
      for (const line of requests) {
        expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
        expect(line.span_id).toMatch(/^[0-9a-f]{16}$/);
      }
      const callbackTrace = requests[0]!.trace_id!;
      const laterTraces = requests.slice(1).map((line) => line.trace_id!);

      // The spans arrive at the collector: the callback's with Redis and fetch spans, and a later request's with
      // MongoDB spans (the interaction's, not the queues' polling: those have no parent and are not recorded).
      const isRedis = (span: ReceivedSpan) => span.scope.endsWith('instrumentation-ioredis');
      const isMongo = (span: ReceivedSpan) => span.scope.endsWith('instrumentation-mongodb');
      const isFetch = (span: ReceivedSpan) => span.scope.endsWith('instrumentation-undici') && span.kind === CLIENT;
      const inCallback = (what: (span: ReceivedSpan) => boolean) => spansOf(callbackTrace).some(what);
      const serverSpanOf = (traceId: string) => spansOf(traceId).find((span) => span.kind === SERVER);
      await waitUntil(
        () =>
          [callbackTrace, ...laterTraces].every((traceId) => serverSpanOf(traceId)) &&
          inCallback(isRedis) &&
          inCallback(isFetch) &&
          laterTraces.some((traceId) => spansOf(traceId).some(isMongo)),
        30_000,
        'the server, Redis, MongoDB and fetch spans of the sign-in',
      );

      const fetches = spansOf(callbackTrace).filter(isFetch);
      expect(fetches.map((span) => span.attributes['url.full'])).toContain(`${rogue.issuer}/token`);
      for (const [line, traceId] of requests.map((l) => [l, l.trace_id!] as const)) {
        const trace = spansOf(traceId);
        const servers = trace.filter((span) => span.kind === SERVER);
        // One server span per request, the root of its trace, named by the route the access line names.
        expect(servers.map((span) => [span.name, span.attributes['http.route'], span.parentSpanId])).toEqual([
          [`${line.method} ${line.route}`, line.route, undefined],
        ]);
        expect(servers[0]!.service).toBe('broker-under-test');
        for (const span of trace.filter((s) => isRedis(s) || isMongo(s) || isFetch(s))) {
          expect([span.name, descendsFrom(span, servers[0]!, trace)]).toEqual([span.name, true]);
        }
        // Redis spans name the command only, never its keys.
        for (const span of trace.filter(isRedis)) expect(String(span.attributes['db.statement'])).not.toContain(' ');
      }
    } finally {
      await broker.stop('SIGKILL');
    }
  }, 90_000);

  it('puts the trace id beside the error reference, keeps link tokens out of spans, and exports the last spans on SIGTERM', async () => {
    // Spans wait for a full minute before export: only the stop's flush can bring them.
    const metricsPort = await freePort();
    const broker = await tracedBroker({
      OTEL_BSP_SCHEDULE_DELAY: '60000',
      METRICS_PORT: String(metricsPort),
      METRICS_HOST: '127.0.0.1',
    });
    try {
      // A scrape of the metrics listener (which reads the mail queue in Redis) is not traced.
      expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status).toBe(200);

      // A link token in a path: the access line names the route, the span must not name more.
      const link = await fetch(`${broker.issuer}/associate/a-link-token-never-traced?code=a-code-never-traced`, {
        redirect: 'manual',
      });
      const linkTrace = accessLine(broker.output(), link.headers.get('x-request-id')!)?.trace_id;
      expect(linkTrace).toMatch(/^[0-9a-f]{32}$/);

      const json = await fetch(`${broker.issuer}/no-such-page`, { headers: { Accept: 'application/json' } });
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
      const linkServer = spansOf(linkTrace!).find((s) => s.kind === SERVER);
      expect(linkServer?.attributes).toMatchObject({ 'url.path': '/associate/[link]', 'url.query': 'code=REDACTED' });
      expect(JSON.stringify(collector.spans)).not.toMatch(/never-traced/);
      expect(collector.spans.filter((s) => String(s.attributes['url.path']).startsWith('/metrics'))).toEqual([]);
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

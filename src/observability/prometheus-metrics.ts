import { readFileSync } from 'node:fs';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Metrics } from '../shared/metrics.ts';

const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Request-sized latencies: a store call or a page is milliseconds, an upstream call or a slow page seconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type PrometheusMetrics = Metrics & {
  registry: Registry;
};

/**
 * The broker's metric families, in a registry of its own (not prom-client's global one, so that two brokers in one
 * test process, or a library that registers its own, never collide), with Node.js's default process metrics. The
 * family names and labels are the contract of the Grafana dashboard (docs/grafana/broker-dashboard.json) and of
 * docs/operations.md's metrics table: renaming one is a breaking change for operators' alerts.
 */
export function createPrometheusMetrics(): PrometheusMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  // Every family in this registry; histograms of request-sized latencies.
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name, help, labelNames, registers });
  const latency = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Histogram<L>({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers });

  new Gauge({
    name: 'broker_build_info',
    help: 'Always 1; the labels say which release and Node.js version this process runs.',
    labelNames: ['version', 'node'],
    registers,
  }).set({ version: PACKAGE.version, node: process.versions.node }, 1);

  const http = latency(
    'broker_http_request_duration_seconds',
    'Requests of the public listener by method, route template and status, and how long they took.',
    ['method', 'route', 'status'],
  );
  const signIns = counter(
    'broker_sign_ins_total',
    'Sign-ins to portals by outcome (signed_in at the upstream, single_sign_on from the broker session, refused), portal and upstream.',
    ['outcome', 'client', 'upstream'],
  );
  const upstreamDuration = latency(
    'broker_upstream_request_duration_seconds',
    'Calls to upstream identity providers by upstream and endpoint, and how long they took (failed ones too).',
    ['upstream', 'endpoint'],
  );
  const upstreamErrors = counter(
    'broker_upstream_errors_total',
    'Calls to upstream identity providers that failed, by reason: unreachable, timeout, server_error (a 5xx answer), refused (a 4xx answer, e.g. an expired code or a wrong client secret).',
    ['upstream', 'endpoint', 'reason'],
  );
  const associations = counter(
    'broker_association_events_total',
    'The association flow: requests for links, links issued, redeemed, refused (another account) and opened after they expired.',
    ['event'],
  );
  const mail = counter(
    'broker_mail_messages_total',
    'Mail by template and outcome: sent, retried (an attempt failed, another is scheduled) or failed (given up on).',
    ['kind', 'outcome'],
  );
  const queues = new Map<string, () => Promise<{ pending: number; failed: number }>>();
  new Gauge({
    name: 'broker_queue_depth',
    help: 'Messages in a queue: pending (waiting for an attempt or being sent) and failed (given up on, to requeue).',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      this.reset();
      for (const [queue, depth] of queues) {
        // A queue that cannot be read (its Redis is away) is left out of this scrape rather than failing it.
        const read = await depth().catch(() => undefined);
        if (!read) continue;
        this.set({ queue, state: 'pending' }, read.pending);
        this.set({ queue, state: 'failed' }, read.failed);
      }
    },
  });
  const deliveries = counter(
    'broker_deliveries_total',
    'Webhook and back-channel logout delivery attempts by outcome: delivered, retried, failed (given up on).',
    ['channel', 'outcome'],
  );
  const storeDuration = latency(
    'broker_store_operation_duration_seconds',
    'Store operations (directory, clients, audit, links, oidc models, sessions, limits) and how long they took.',
    ['store', 'operation'],
  );
  const storeErrors = counter(
    'broker_store_errors_total',
    'Store operations that threw: a server away, a timeout, a write refused.',
    ['store', 'operation'],
  );

  return {
    enabled: true,
    registry,
    httpRequest: ({ method, route, status, seconds }) =>
      http.observe({ method, route, status: String(status) }, seconds),
    signIn: (outcome, { client, upstream }) => signIns.inc({ outcome, client, upstream }),
    upstreamCall({ upstream, endpoint, seconds, error }) {
      upstreamDuration.observe({ upstream, endpoint }, seconds);
      if (error) upstreamErrors.inc({ upstream, endpoint, reason: error });
    },
    association: (event) => associations.inc({ event }),
    mail: (outcome, kind) => mail.inc({ kind, outcome }),
    delivery: (channel, outcome) => deliveries.inc({ channel, outcome }),
    storeCall({ store, operation, seconds, failed }) {
      storeDuration.observe({ store, operation }, seconds);
      if (failed) storeErrors.inc({ store, operation });
    },
    watchQueue: (queue, depth) => void queues.set(queue, depth),
  };
}

import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Span } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { KoaInstrumentation, KoaLayerType } from '@opentelemetry/instrumentation-koa';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { scrubText } from '../shared/log-redaction.ts';
import { UNTRACED_SERVER } from './untraced-server.ts';

/** Probes answer many times a minute and say nothing about a request: a trace of each would only be noise. */
const PROBES = new Set(['/healthz', '/readyz']);

/**
 * What is traced, and what a span may say. A span is kept by a tracing backend as long as a log line, so it follows
 * the logs' rules (docs/decisions/0023): no link tokens, codes or addresses.
 * - http: the server span of each request (not the metrics listener's), and client spans of Node's http client (a
 *   webhook sent while a request is traced; never one sent by a queue on its own). Paths lose link tokens as a log
 *   line's do, and queries keep the parameter names only, in and out: a receiver's URL may hold its secret.
 * - koa: a span per router layer (@koa/router's routes: account, admin, interaction pages). Not one per
 *   middleware: a request passes through some twenty, each span nested in the one before and named `anonymous`,
 *   which buries the spans that say something. The server span's name comes from the access log (request-route.ts).
 * - undici: `fetch`, which openid-client uses for every call to an upstream (discovery, token, userinfo, keys), and
 *   oidc-provider for back-channel logout; only inside a request's trace, its URL scrubbed as above.
 * - ioredis and mongodb: a span per command, only inside a request's trace (their default: the queues' polling
 *   would otherwise be most of what is exported). Redis spans name the command only, never keys or values, which
 *   hold link and session ids; MongoDB's default statement already replaces every value with `?`.
 */
export function brokerInstrumentations(): Instrumentation[] {
  return [
    new HttpInstrumentation({
      requireParentforOutgoingSpans: true,
      ignoreIncomingRequestHook: (request) =>
        PROBES.has(pathOf(request.url)) ||
        Boolean((request.socket as { server?: Record<symbol, unknown> }).server?.[UNTRACED_SERVER]),
      requestHook: (span, request) => {
        if (isIncoming(request)) scrubRequestUrl(span, request.url);
        else {
          const outgoing = request as ClientRequest;
          scrubOutgoingUrl(span, `${outgoing.protocol}//${outgoing.host}`, outgoing.path);
        }
      },
    }),
    new KoaInstrumentation({ ignoreLayersType: [KoaLayerType.MIDDLEWARE] }),
    new UndiciInstrumentation({
      requireParentforSpans: true,
      requestHook: (span, request) => scrubOutgoingUrl(span, request.origin, request.path),
    }),
    new IORedisInstrumentation({ dbStatementSerializer: (command) => command }),
    new MongoDBInstrumentation(),
  ];
}

function isIncoming(request: unknown): request is IncomingMessage {
  return typeof (request as IncomingMessage).httpVersion === 'string' && 'socket' in (request as object);
}

function pathOf(url: string | undefined): string {
  return (url ?? '/').split('?')[0]!;
}

/** A request target as the logs would have it: the path without link tokens, the query's parameter names only. */
function scrubTarget(target: string): { path: string; query?: string } {
  const [path, query] = target.split('?', 2) as [string, string | undefined];
  if (query === undefined) return { path: scrubText(path) };
  const names = [...new URLSearchParams(query).keys()];
  return { path: scrubText(path), query: names.map((name) => `${name}=REDACTED`).join('&') };
}

function scrubRequestUrl(span: Span, url: string | undefined) {
  const { path, query } = scrubTarget(url ?? '/');
  span.setAttribute('url.path', path);
  if (query !== undefined) span.setAttribute('url.query', query);
}

/** A client span's URL: the origin, then the target scrubbed. */
function scrubOutgoingUrl(span: Span, origin: string, target: string) {
  const { path, query } = scrubTarget(target);
  span.setAttribute('url.full', `${origin}${path}${query === undefined ? '' : `?${query}`}`);
  if (query !== undefined) span.setAttribute('url.query', query);
}

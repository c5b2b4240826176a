import type { Context, Middleware } from 'koa';
import { recordRequestRoute } from '../observability/request-route.ts';
import type { Logger } from '../shared/logger.ts';
import type { Metrics } from '../shared/metrics.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { requestIdFor } from './request-id.ts';

/** The route of a request no router matched, so that unknown paths (and what a scanner puts in them) stay out. */
export const UNMATCHED_ROUTE = '(unmatched)';

/**
 * The first middleware: gives the request its id (request-id.ts), answers with it in `X-Request-Id`, handles the
 * rest of the request inside it (every log line and audit event of the request carries it), and writes exactly one
 * access line at the end: method, route template (never the path, which may hold ids and link tokens), status,
 * duration, the portal or admin client when known, and the reference of an error answer. The same request is timed
 * for the metrics, by the same route template and status.
 */
export function accessLog(deps: { logger: Logger; requests: RequestContext; metrics: Metrics }): Middleware {
  const { logger, requests, metrics } = deps;
  // Per request, on the token endpoint's hot path (docs/decisions/0028): the headers are read from Node's own
  // object (no ctx.get delegation), the rest of the request runs as `next` itself inside the request's scope (no
  // closure made per request), and the access line names the request id itself, being written after the scope.
  return async (ctx, next) => {
    const started = performance.now();
    const headers = ctx.req.headers;
    const requestId = requestIdFor({
      requestId: stringHeader(headers['x-request-id']),
      traceparent: stringHeader(headers.traceparent),
    });
    ctx.set('X-Request-Id', requestId);
    let failed: unknown;
    try {
      await requests.run({ requestId }, next);
    } catch (err) {
      failed = err;
      throw err;
    } finally {
      // An error that got past the error handler becomes Koa's own answer: its status, else 500.
      const status = failed === undefined ? ctx.status : errorStatus(failed);
      const ms = performance.now() - started;
      const route = routeOf(ctx);
      metrics.httpRequest({ method: ctx.method, route, status, seconds: ms / 1000 });
      if (route !== UNMATCHED_ROUTE) recordRequestRoute(route);
      if (logger.enabled?.('info') !== false) {
        const clientId = clientIdOf(ctx);
        const reference = (ctx.state as { errorReference?: unknown }).errorReference;
        logger.info('http.request', {
          request_id: requestId,
          method: ctx.method,
          route,
          status,
          duration_ms: Math.round(ms * 10) / 10,
          ...(clientId ? { client_id: clientId } : {}),
          ...(typeof reference === 'string' ? { reference } : {}),
        });
      }
    }
  };
}

/** A header's value as `ctx.get` gives it (Node joins repeated ones), undefined when absent or empty. */
const stringHeader = (value: string | string[] | undefined) => (typeof value === 'string' && value) || undefined;

/** The path template of the route that handled the request (@koa/router's and oidc-provider's routers set it). */
function routeOf(ctx: Context): string {
  const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  return typeof matched === 'string' ? matched : UNMATCHED_ROUTE;
}

/**
 * The client the request was for, where a step already loaded it: an admin or account API token's client, the
 * portal of an interaction, or the client oidc-provider authenticated or looked up. Never read from the request.
 */
function clientIdOf(ctx: Context): string | undefined {
  const state = ctx.state as {
    admin?: { clientId?: string };
    account?: { clientId?: string };
    interaction?: { params?: { client_id?: unknown } };
  };
  const oidc = (ctx as { oidc?: { client?: { clientId?: string } } }).oidc;
  const found =
    state.admin?.clientId ?? state.account?.clientId ?? state.interaction?.params?.client_id ?? oidc?.client?.clientId;
  return typeof found === 'string' ? found : undefined;
}

function errorStatus(err: unknown): number {
  const status =
    (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

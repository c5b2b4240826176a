import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { UNTRACED_SERVER } from './untraced-server.ts';

/**
 * The management listener: GET /metrics in Prometheus's text format, and nothing else. It is a listener of its own
 * (METRICS_PORT), never a route of the public app, so that what the broker counts (portals, upstreams, error rates)
 * is not published to the internet and a scrape never competes with sign-ins for the public port's limits.
 */
export function serveMetrics(registry: Registry, options: { port: number; host: string }): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Only /metrics is served here.\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Use GET.\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: Error) => {
        res
          .writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
          .end(`Metrics unavailable: ${err.message}\n`);
      },
    );
  });
  // Scrapes are not traced (observability/instrumentations.ts), when tracing is on.
  (server as unknown as Record<symbol, unknown>)[UNTRACED_SERVER] = true;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A tiny load balancer in front of several broker processes: each request goes to the next node in turn, so a
 * sign-in's consecutive requests alternate between nodes. `hits` counts what each node served. It sets
 * X-Forwarded-Proto and -For (overwriting what the client sent, so nodes may trust them); with `tls` it
 * terminates https like a production load balancer.
 */
export async function startRoundRobinProxy(options: { tls?: { key: string; cert: string } } = {}) {
  const state = { targets: [] as number[], hits: new Map<number, number>(), next: 0 };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (!state.targets.length) {
      res.writeHead(503).end();
      return;
    }
    const port = state.targets[state.next++ % state.targets.length]!;
    state.hits.set(port, (state.hits.get(port) ?? 0) + 1);
    // Overwritten, never passed on: what lets the nodes run with TRUST_PROXY=true.
    const headers = {
      ...req.headers,
      'x-forwarded-proto': options.tls ? 'https' : 'http',
      'x-forwarded-for': req.socket.remoteAddress ?? '',
    };
    const forward = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  };
  const server = options.tls ? createTlsServer(options.tls, handle) : createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

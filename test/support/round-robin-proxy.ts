import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny load balancer in front of several broker processes: each request goes to the next node in turn, so a
 * sign-in's consecutive requests alternate between nodes. `hits` counts what each node served.
 */
export async function startRoundRobinProxy() {
  const state = { targets: [] as number[], hits: new Map<number, number>(), next: 0 };
  const server = createServer((req, res) => {
    if (!state.targets.length) {
      res.writeHead(503).end();
      return;
    }
    const port = state.targets[state.next++ % state.targets.length]!;
    state.hits.set(port, (state.hits.get(port) ?? 0) + 1);
    const forward = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    state,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

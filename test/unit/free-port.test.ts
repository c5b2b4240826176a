import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { BLOCK, canListen, freePort } from '../support/free-port.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});
async function occupy(port: number) {
  const server = createServer();
  servers.push(server);
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
}

// The tests' own helper: every test that starts Redis, FerretDB or a broker process takes its port from here.
describe('the free loopback ports tests start their servers on', () => {
  it('says a port another server listens on is not free, without throwing', async () => {
    const port = await freePort();
    expect(await canListen(port)).toBe(true);
    await occupy(port);
    await expect(canListen(port)).resolves.toBe(false);
  });

  it('passes over a port still in use when its turn comes round again, and hands out the next', async () => {
    const first = await freePort();
    await occupy(first);
    // The block's other ports in turn (free, so each is handed out), and then `first` again.
    for (let i = 1; i < BLOCK; i++) expect(await freePort()).not.toBe(first);
    const after = await freePort();
    expect(after).not.toBe(first);
    expect(await canListen(after)).toBe(true);
  });
});

import { createServer } from 'node:net';

// Below Linux's ephemeral range (32768–60999), where neither listen(0) nor the local end of an outgoing connection
// lands: a port handed out here stays free until its server starts, however many sockets other tests open meanwhile.
const FIRST = 20_000;
/** Ports in a jest worker's block. */
export const BLOCK = 600;
// Each jest worker its own block (20 blocks fit below 32,000), and the ports of a block in turn from a random start:
// one process never gets the same port twice before its servers start, and two runs on one machine rarely meet.
const worker = Number(process.env.JEST_WORKER_ID ?? 0) % 20;
let next = Math.floor(Math.random() * BLOCK);

/** Whether a server could listen on `port` now (it is closed again before this answers). */
export async function canListen(port: number): Promise<boolean> {
  const probe = createServer();
  // Settled by whichever comes first; events.once('listening') would reject on the error (EADDRINUSE) instead.
  const listening = await new Promise<boolean>((resolve) => {
    probe.once('listening', () => resolve(true));
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1');
  });
  if (listening) await new Promise<void>((resolve) => probe.close(() => resolve()));
  return listening;
}

/** A free loopback port for a server a test starts later (Redis, FerretDB, an SMTP server that is down at first). */
export async function freePort(): Promise<number> {
  for (let tried = 0; tried < BLOCK; tried++) {
    const port = FIRST + worker * BLOCK + (next++ % BLOCK);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free loopback port in ${FIRST + worker * BLOCK}–${FIRST + worker * BLOCK + BLOCK - 1}`);
}

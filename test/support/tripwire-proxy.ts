import { createConnection, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * TCP proxies in front of a broker's stores that stop it at an exact point of its work: armed with a byte pattern
 * (a command name and collection in MongoDB's wire protocol, a script or job name in Redis's), the first client
 * bytes containing it are held back, and so is everything any client sends through any proxy of the set afterwards.
 * The held command never reaches the server; the test kills the broker there, then `release()` drops the held
 * connections and forwards again.
 */
export function createTripwires() {
  const state: { pattern?: Buffer; tripped: boolean; onTrip?: () => void } = { tripped: false };
  const sockets = new Set<Socket>();

  const proxy = async (targetPort: number) => {
    const server = createServer((client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
      sockets.add(client).add(upstream);
      // The tail of what this client sent before, so that a pattern split across two chunks is still seen.
      let tail = Buffer.alloc(0);
      client.on('data', (chunk: Buffer) => {
        if (state.tripped) return;
        const seen = Buffer.concat([tail, chunk]);
        if (state.pattern && seen.includes(state.pattern)) {
          state.tripped = true;
          state.onTrip?.();
          return;
        }
        tail = seen.subarray(Math.max(0, seen.length - 256));
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => {
        if (!state.tripped && !client.destroyed) client.write(chunk);
      });
      const close = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as AddressInfo).port,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  };

  return {
    proxy,
    /** Resolves when a client sends `pattern`; from then on nothing passes until `release()`. */
    arm(pattern: Buffer): Promise<void> {
      state.pattern = pattern;
      return new Promise((resolve) => (state.onTrip = resolve));
    },
    /** Drops every connection (and what they held back), disarms, and forwards new connections again. */
    release() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      state.tripped = false;
      state.pattern = undefined;
      state.onTrip = undefined;
    },
  };
}

/** The bytes that open a MongoDB command document `{ <command>: "<collection>", … }` (BSON: string element). */
export function mongoCommand(command: string, collection: string): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32LE(Buffer.byteLength(collection) + 1);
  return Buffer.concat([Buffer.from([0x02]), Buffer.from(`${command}\0`), length, Buffer.from(`${collection}\0`)]);
}

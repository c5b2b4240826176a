import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { freePort } from './free-port.ts';
import { stopChild, waitUntil } from './wait.ts';

const FERRETDB = process.env.FERRETDB_BIN ?? join(import.meta.dirname, '..', '..', '.tools', 'ferretdb');

/**
 * A real MongoDB-protocol server for tests: MONGODB_URI when given, else FerretDB 1.x with its SQLite backend in a
 * temporary directory (built by scripts/provision-ferretdb.sh). Fails with how to provide one; never skips.
 */
export async function startMongo() {
  if (process.env.MONGODB_URI)
    return {
      uri: process.env.MONGODB_URI,
      stop: async () => undefined,
      start: async () => undefined,
      pid: () => undefined,
    };
  if (!existsSync(FERRETDB)) {
    throw new Error(
      `These tests need a MongoDB-protocol server: set MONGODB_URI, or build FerretDB with scripts/provision-ferretdb.sh (expected at ${FERRETDB}).`,
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ferretdb-'));
  const uri = `mongodb://127.0.0.1:${port}/broker-test`;
  let child: ChildProcess | undefined;
  // Starting one that is running already does nothing: a test can ask for it up whatever the last one left.
  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    child = spawn(
      FERRETDB,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${dir}/`,
        `--listen-addr=127.0.0.1:${port}`,
        `--state-dir=${dir}`,
        '--telemetry=disable',
        '--log-level=error',
        '--debug-addr=-',
      ],
      { stdio: 'ignore' },
    );
    await waitUntil(
      async () => {
        const probe = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 500 });
        try {
          await probe.asPromise();
          await probe.db!.admin().ping();
          return true;
        } catch {
          return false;
        } finally {
          await probe.close().catch(() => undefined);
        }
      },
      20_000,
      'FerretDB ready',
    );
  };
  await start();
  return {
    uri,
    start,
    stop: () => stopChild(child),
    /** The server's process id while it runs (none when the server was given by URL), for its CPU time. */
    pid: (): number | undefined => child?.pid,
  };
}

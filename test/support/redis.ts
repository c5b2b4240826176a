import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createRedis } from '../../src/stores/redis/connection.ts';
import { freePort } from './free-port.ts';
import { stopChild, waitUntil } from './wait.ts';

/**
 * A real Redis for tests: REDIS_URL when given, else a throw-away `redis-server` (Debian's package) on a free
 * loopback port. Without persistence by default, so a stop loses every key; `persistent` keeps an append-only
 * file in a temporary directory, so a stop and start keeps them, like a production Redis restarting.
 * Fails with how to provide one; never skips.
 */
export async function startRedis(options: { persistent?: boolean } = {}) {
  if (process.env.REDIS_URL)
    return {
      url: process.env.REDIS_URL,
      stop: async () => undefined,
      start: async () => undefined,
      pid: () => undefined,
    };
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error(
      "These tests need Redis: install Debian's redis-server (apt-get install redis-server) or set REDIS_URL.",
    );
  }
  const port = await freePort();
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const dir = options.persistent ? mkdtempSync(join(tmpdir(), 'redis-')) : undefined;
  // Starting one that is running already does nothing: a test can ask for it up whatever the last one left.
  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    const persistence = options.persistent
      ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir!]
      : ['--appendonly', 'no'];
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence], {
      stdio: 'ignore',
    });
    await waitUntil(() => redisAnswers(port), 10_000, 'redis-server ready');
  };
  await start();
  return {
    url,
    start,
    stop: () => stopChild(child),
    /** The server's process id while it runs (none when the server was given by URL), for its CPU time. */
    pid: (): number | undefined => child?.pid,
  };
}

/** Whether a Redis server (or Sentinel) on this loopback port answers PING now. */
export async function redisAnswers(port: number): Promise<boolean> {
  const probe = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** A Redis of the test file's own (startRedis) and the stores' client on it, as the broker makes it, ready. */
export async function startRedisWithClient() {
  const server = await startRedis();
  const client = createRedis(server.url, { info: () => undefined, warn: () => undefined, error: () => undefined });
  await new Promise((resolve) => client.once('ready', resolve));
  return {
    server,
    client,
    async stop() {
      client.disconnect();
      await server.stop();
    },
  };
}

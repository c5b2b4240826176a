import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigInput } from '../../src/config/schema.ts';
import { TEST_PORTAL } from './broker.ts';
import { nodeChildEnv } from './node-child.ts';
import { freePort } from './free-port.ts';
import { stopChild, waitUntil } from './wait.ts';

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'main.ts');

/**
 * The broker as its own process (`node src/main.ts`), configured through BROKER_CONFIG: for measurements that
 * must not share an event loop with the test's client, and for tests that stop or restart a broker.
 */
export async function spawnBroker(
  config: ConfigInput = {},
  env: Record<string, string> = {},
  // `main`: another entry point that runs the broker (the benchmarks' test/bench/preloaded-broker.ts), which may take
  // longer than a plain start to be ready (`readyWithinMs`).
  options: { main?: string; readyWithinMs?: number } = {},
) {
  // PORT in `env` reuses an address, e.g. to restart a killed broker where its links and callbacks point.
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'broker-process-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ clients: [TEST_PORTAL], ...config }));
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [options.main ?? MAIN], {
    env: {
      ...nodeChildEnv(),
      NODE_ENV: 'test',
      PORT: String(port),
      ISSUER: issuer,
      LOG_LEVEL: 'warn',
      // No load balancer to tell before connections are refused: a stopped test broker closes at once.
      SHUTDOWN_GRACE_SECONDS: '0',
      BROKER_CONFIG: file,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await waitUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`broker exited with ${child.exitCode}: ${output}`);
        return fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
      },
      options.readyWithinMs ?? 60_000,
      'broker process ready',
    );
  } catch (err) {
    // A broker that never came up is not left running behind the failed test, and says what it printed.
    await stopChild(child, 'SIGKILL');
    throw new Error(`${(err as Error).message}; its output:\n${output || '(nothing)'}`, { cause: err });
  }
  return {
    /** The issuer it was given (ISSUER in `env` overrides its own address, e.g. a proxy in front of several nodes). */
    issuer: env.ISSUER ?? issuer,
    port,
    /** The process id, to read its CPU time (the benchmarks). */
    pid: child.pid!,
    output: () => output,
    stop: (signal: NodeJS.Signals = 'SIGTERM') => stopChild(child, signal),
    /** Sends `signal` and resolves with the exit code the process then exits with (null: ended by a signal). */
    exitCodeAfter: async (signal: NodeJS.Signals): Promise<number | null> => {
      await stopChild(child, signal);
      return child.exitCode;
    },
  };
}

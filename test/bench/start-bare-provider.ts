import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { nodeChildEnv } from '../support/node-child.ts';
import { freePort } from '../support/free-port.ts';
import { stopChild, waitUntil } from '../support/wait.ts';

/**
 * bare-provider.ts in its own process, as the brokers are; resolves once its discovery document answers, which with
 * `preloadGrants` is after that many grants are stored (compare.ts's BENCH_PRELOAD_GRANTS).
 */
export async function startBareProvider(preloadGrants = 0) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(process.execPath, [join(import.meta.dirname, 'bare-provider.ts')], {
    env: {
      ...nodeChildEnv(),
      PORT: String(port),
      BENCH_PRELOAD_GRANTS: String(preloadGrants),
      // Profiled as the brokers are (compare.ts), so the two tops can be read side by side.
      ...(process.env.BENCH_CPU_PROF
        ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF}` }
        : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`bare provider exited with ${child.exitCode}: ${output}`);
      return fetch(`${issuer}/.well-known/openid-configuration`).then(
        (r) => r.ok,
        () => false,
      );
    },
    preloadGrants ? 300_000 : 30_000,
    'bare provider ready',
  );
  return { issuer, pid: child.pid!, output: () => output, stop: () => stopChild(child) };
}

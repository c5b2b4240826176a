import { expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeChildEnv } from '../support/node-child.ts';
import { freePort } from '../support/free-port.ts';
import { waitUntil } from '../support/wait.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** Every process below `pid`, from /proc (Linux): the shell, the node wrapper, the broker. */
function descendants(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(file)) return [];
  const children = readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/** Still running: present and not a zombie waiting for its parent. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

it('`npm start` leaves no process behind when npm gets SIGTERM', async () => {
  const port = await freePort();
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    env: {
      ...nodeChildEnv(),
      HOME: process.env.HOME ?? tmpdir(),
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_SECONDS: '0',
      ADMIN_SOCKET: join(tmpdir(), `npm-start-${port}.sock`),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  let tree: number[] = [];
  try {
    await waitUntil(
      async () => {
        if (npm.exitCode !== null) throw new Error(`npm start exited with ${npm.exitCode}: ${output}`);
        return fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
      },
      60_000,
      'the demo answering',
    );
    tree = descendants(npm.pid!);
    expect(tree.length).toBeGreaterThan(0);
    npm.kill('SIGTERM');
    await exited;
    await waitUntil(() => tree.every((pid) => !alive(pid)), 30_000, 'every process of `npm start` gone');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  } finally {
    for (const pid of tree.filter(alive)) process.kill(pid, 'SIGKILL');
    if (npm.exitCode === null) npm.kill('SIGKILL');
  }
}, 90_000);

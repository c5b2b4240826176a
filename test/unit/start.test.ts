import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { nodeChildEnv } from '../support/node-child.ts';

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'main.ts');

/** Runs `node src/main.ts` as an operator would and collects what it says until it exits. */
function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN], {
      env: { ...nodeChildEnv(), ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('starting the broker', () => {
  it('refuses production on development defaults, naming every missing setting, with exit code 2', async () => {
    const { code, stderr } = await start({ NODE_ENV: 'production' });
    expect(code).toBe(2);
    expect(stderr).toContain('Invalid configuration:');
    for (const name of [
      'MONGODB_URI and REDIS_URL:',
      'JWKS_FILE:',
      'COOKIE_KEYS:',
      'SECRET_KEYS:',
      'SMTP_URL:',
      'ISSUER:',
      'upstreams:',
    ])
      expect(stderr).toContain(name);
    expect(stderr).not.toMatch(/at \w+ \(/);
  });

  it('refuses a demo in production too', async () => {
    const { code, stderr } = await start({ NODE_ENV: 'production', DEMO: 'true' });
    expect(code).toBe(2);
    expect(stderr).toContain('DEMO: the development upstream, demo portals and demo directory are development-only');
  });
});

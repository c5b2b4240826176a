import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { nodeVersionProblem } from '../../src/shared/node-version.ts';
import { nodeChildEnv } from '../support/node-child.ts';

describe('the Node.js version check', () => {
  it.each(['22.18.0', '22.20.1', '23.6.0', '24.21.0', '25.0.0'])('lets Node.js %s run the broker', (version) => {
    expect(nodeVersionProblem(version)).toBeUndefined();
  });

  it.each(['22.17.1', '22.6.0', '20.20.2', '18.19.0'])(
    'stops Node.js %s with one line naming both versions',
    (version) => {
      const problem = nodeVersionProblem(version)!;
      expect(problem).toContain(`this is Node.js ${version}`);
      expect(problem).toContain('Node.js 22.18 or later');
      expect(problem).toContain('install Node.js 24');
      expect(problem).not.toContain('\n');
    },
  );

  it('runs first in `node src/main.ts`: an old Node.js exits 2 with that line and nothing else', () => {
    const main = join(import.meta.dirname, '..', '..', 'src', 'main.ts');
    // The version faked before main.ts is imported: what Node.js 22.17 with --experimental-strip-types would see.
    const script =
      "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '22.17.0' } });" +
      `await import(${JSON.stringify(main)});`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...nodeChildEnv(), PORT: '0' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`${nodeVersionProblem('22.17.0')}\n`);
  });
});

import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeVersionProblem } from '../../src/shared/node-version.ts';
import { nodeChildEnv } from '../support/node-child.ts';

// Every operator script npm runs (`npm run keys`, `admin`, `db:*` …) checks the Node.js version first, as
// `node src/main.ts` does (test/unit/node-version.test.ts). The machine's Node.js 20 cannot show it: it refuses a
// `.ts` file before any code runs. So, as for main.ts, the version is faked to what Node.js 22.17 with
// --experimental-strip-types would report, the oldest that runs the scripts at all.
const ROOT = join(import.meta.dirname, '..', '..');
const npmScripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
const SCRIPTS = [
  ...new Set(Object.values(npmScripts).flatMap((command) => [...command.matchAll(/node (scripts\/\S+\.ts)/g)])),
].map((match) => match[1]!);

describe('the operator scripts', () => {
  it('are the ones npm runs', () => {
    expect(SCRIPTS).toEqual(
      expect.arrayContaining(['scripts/admin.ts', 'scripts/generate-keys.ts', 'scripts/migrate-database.ts']),
    );
  });

  // A static import would load (and could fail on an old Node.js) before the check: the command comes dynamically.
  it.each(SCRIPTS)('%s imports nothing but the check before running it', (script) => {
    const source = readFileSync(join(ROOT, script), 'utf8');
    expect([...source.matchAll(/^import .* from '(.*)';$/gm)].map((m) => m[1])).toEqual([
      '../src/shared/node-version.ts',
    ]);
    expect(source.indexOf('stopOnOldNode();')).toBeLessThan(source.indexOf('await import('));
  });

  it.each(SCRIPTS)('%s stops an old Node.js with one line and exit code 2', (script) => {
    const faked =
      "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '22.17.0' } });" +
      `await import(${JSON.stringify(join(ROOT, script))});`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', faked], {
      cwd: ROOT,
      env: nodeChildEnv(),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.stderr).toBe(`${nodeVersionProblem('22.17.0')}\n`);
    expect(run.stdout).toBe('');
    expect(run.status).toBe(2);
  });
});

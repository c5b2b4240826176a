import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// `npm ci` installs what package-lock.json lists and nothing else. A lockfile written on one machine can lack the
// optional packages of the other platforms (npm/cli#4828): `npm ci` then succeeds elsewhere without the native
// part, which fails or falls back at run time. This checks the lockfile covers the platforms it is installed on:
// Linux x64 (CI, servers), Linux arm64 (Docker on Apple silicon, Graviton), macOS on Apple silicon and on Intel.
type Entry = {
  version?: string;
  integrity?: string;
  dev?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  optionalDependencies?: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package-lock.json'), 'utf8')) as {
  lockfileVersion: number;
  packages: Record<string, Entry>;
};
const PLATFORMS = [
  { os: 'linux', cpu: 'x64', libc: 'glibc' },
  { os: 'linux', cpu: 'arm64', libc: 'glibc' },
  { os: 'darwin', cpu: 'arm64' },
  { os: 'darwin', cpu: 'x64' },
];

/** Where npm finds `name` for the package at `path`: its own node_modules, then each one further up. */
function resolve(path: string, name: string): string | undefined {
  for (let at = path; ; at = at.slice(0, Math.max(0, at.lastIndexOf('/node_modules/')))) {
    const candidate = `${at ? `${at}/` : ''}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!at) return undefined;
  }
}

const withOptional = Object.entries(lock.packages).filter(([, entry]) => entry.optionalDependencies);
const fits = (entry: Entry, platform: (typeof PLATFORMS)[number]) =>
  (!entry.os || entry.os.includes(platform.os)) &&
  (!entry.cpu || entry.cpu.includes(platform.cpu)) &&
  (!entry.libc || !platform.libc || entry.libc.includes(platform.libc));

describe('package-lock.json', () => {
  it('is a version 3 lockfile with packages that have optional dependencies', () => {
    expect(lock.lockfileVersion).toBe(3);
    // msgpackr-extract (BullMQ's msgpackr) is one; were there none, this test would check nothing.
    expect(withOptional.map(([path]) => path)).toContain('node_modules/msgpackr-extract');
  });

  it('lists every optional dependency of every package, whatever platform it is for', () => {
    const missing = withOptional.flatMap(([path, entry]) =>
      Object.keys(entry.optionalDependencies!)
        .filter((name) => !resolve(path, name))
        .map((name) => `${path} → ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('has a native package for Linux x64 and arm64 and macOS wherever a package ships them', () => {
    const uncovered = withOptional.flatMap(([path, entry]) => {
      const variants = Object.keys(entry.optionalDependencies!)
        .map((name) => lock.packages[resolve(path, name) ?? ''])
        .filter((variant): variant is Entry => Boolean(variant?.os || variant?.cpu));
      if (!variants.length) return [];
      return PLATFORMS.filter((platform) => !variants.some((variant) => fits(variant, platform))).map(
        (platform) => `${path}: ${Object.values(platform).join('-')}`,
      );
    });
    expect(uncovered).toEqual([]);
  });

  // The lockfile names no download address (omit-lockfile-registry-resolved): each machine asks its own registry for
  // name@version and checks it against the hash here.
  it('pins each platform package to a version and a hash, so any machine can fetch and verify it', () => {
    const platformEntries = Object.entries(lock.packages).filter(([, entry]) => entry.os || entry.cpu);
    expect(platformEntries.length).toBeGreaterThan(0);
    const incomplete = platformEntries
      .filter(([, entry]) => !entry.version || !entry.integrity?.startsWith('sha512-'))
      .map(([path]) => path);
    expect(incomplete).toEqual([]);
  });
});

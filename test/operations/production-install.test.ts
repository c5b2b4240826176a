import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { reportFigure } from '../support/figures.ts';
import { startMongo } from '../support/mongo.ts';
import { startRedis } from '../support/redis.ts';
import { freePort } from '../support/free-port.ts';
import { stopChild, waitUntil } from '../support/wait.ts';

// What the image holds, installed the way its Dockerfile installs it (npm ci --omit=dev, no install scripts), in a
// directory of its own: the broker and an operator script run from there, on the production stores, so nothing they
// load may be a devDependency. The files copied are those the Dockerfile copies, read from it.
const ROOT = join(import.meta.dirname, '..', '..');
const NODE = join(dirname(createRequire(import.meta.url).resolve('node/package.json')), 'bin', 'node');
const COPIED = [...readFileSync(join(ROOT, 'Dockerfile'), 'utf8').matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap(
  (match) => match[1]!.split(/\s+/),
);

let dir: string;
let mongo: Awaited<ReturnType<typeof startMongo>>;
let redis: Awaited<ReturnType<typeof startRedis>>;
/**
 * A clean environment, but for what reaching the registry needs on this network: its certificate authorities and
 * proxies (a registry behind a TLS-inspecting proxy answers SELF_SIGNED_CERT_IN_CHAIN without them).
 */
const REACHING_THE_REGISTRY =
  /^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|HTTPS?_PROXY|NO_PROXY|npm_config_(registry|cafile|ca|strict_ssl|proxy|https_proxy|noproxy|cache))$/i;
const environment = () => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? tmpdir(),
  ...Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => REACHING_THE_REGISTRY.test(entry[0]) && entry[1] !== undefined,
    ),
  ),
});

beforeAll(async () => {
  [mongo, redis] = await Promise.all([startMongo(), startRedis()]);
  dir = mkdtempSync(join(tmpdir(), 'production-install-'));
  for (const entry of COPIED) cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  const started = Date.now();
  const install = spawnSync(
    'npm',
    ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
    { cwd: dir, env: environment(), encoding: 'utf8', timeout: 280_000 },
  );
  if (install.status !== 0) throw new Error(`npm ci failed (${install.status}):\n${install.stdout}${install.stderr}`);
  const size = spawnSync('du', ['-sk', 'node_modules'], { cwd: dir, encoding: 'utf8' }).stdout.split('\t')[0];
  reportFigure(
    `npm ci --omit=dev took ${Date.now() - started} ms; node_modules holds ${Math.round(Number(size) / 1024)} MiB`,
  );
}, 300_000);
afterAll(async () => {
  await Promise.all([mongo?.stop(), redis?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs `args` with Node.js 24 from the install, to its end. */
function runInInstall(args: string[], env: Record<string, string>) {
  return spawnSync(NODE, args, { cwd: dir, env: { ...environment(), ...env }, encoding: 'utf8', timeout: 60_000 });
}

describe('a production install (npm ci --omit=dev)', () => {
  it('copies what the Dockerfile copies and holds no development dependency', () => {
    expect(COPIED).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'views', 'config']));
    for (const dev of ['jest', 'typescript', 'eslint', '@babel/core', 'node'])
      expect(existsSync(join(dir, 'node_modules', dev))).toBe(false);
    expect(existsSync(join(dir, 'node_modules', 'oidc-provider'))).toBe(true);
  });

  it('runs the operator scripts: npm run db:migrate prepares the database', () => {
    const run = runInInstall(['scripts/migrate-database.ts'], { MONGODB_URI: mongo.uri });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('applied 0001-indexes');
    expect(run.status).toBe(0);
    const keys = runInInstall(['scripts/generate-keys.ts', '--out', join(dir, 'keys', 'jwks.json')], {});
    expect(keys.status).toBe(0);
    expect(existsSync(join(dir, 'keys', 'jwks.json'))).toBe(true);
  });

  it('starts `node src/main.ts` on MongoDB and Redis, answers /healthz and /readyz, and exits 0 on SIGTERM', async () => {
    // The demo on the production stores, as docker compose runs it: every store, queue and page module loads.
    const port = await freePort();
    const broker = spawn(NODE, ['src/main.ts'], {
      cwd: dir,
      env: {
        ...environment(),
        NODE_ENV: 'development',
        DEMO: 'true',
        PORT: String(port),
        ISSUER: `http://127.0.0.1:${port}`,
        MONGODB_URI: mongo.uri,
        REDIS_URL: redis.url,
        LOG_LEVEL: 'warn',
        SHUTDOWN_GRACE_SECONDS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    broker.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    broker.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const answers = (path: string) =>
      fetch(`http://127.0.0.1:${port}${path}`).then(
        (r) => r.status === 200,
        () => false,
      );
    try {
      for (const path of ['/healthz', '/readyz'])
        await waitUntil(
          async () => {
            if (broker.exitCode !== null) throw new Error(`the broker exited with ${broker.exitCode}: ${output}`);
            return answers(path);
          },
          60_000,
          `${path} answering 200`,
        );
      // Ready on the production stores (mongoose, ioredis and bullmq loaded), not on memory ones.
      const readyz = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(await readyz.json()).toMatchObject({ status: 'ready', checks: { redis: 'ok', mongodb: 'ok' } });
      // A page rendered from views/, and the demo portal's page (openid-client).
      expect(await answers('/')).toBe(true);
      expect(await answers('/.well-known/openid-configuration')).toBe(true);
      const exited = new Promise<number | null>((resolve) => broker.once('exit', (code) => resolve(code)));
      broker.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).not.toMatch(/"level":"error"/);
    } finally {
      await stopChild(broker, 'SIGKILL');
    }
  }, 90_000);
});

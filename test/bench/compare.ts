/**
 * `npm run bench:compare`: the broker on memory stores, the broker on Redis + a MongoDB-protocol server, and bare
 * oidc-provider of the same version (bare-provider.ts), each in its own process, driven from this one on loopback:
 * client_credentials (opaque and JWT access tokens), refresh_token, and complete brokered sign-ins (brokers only), at
 * rising concurrency, bounded in time and count. Each server's CPU time is read from the OS around every cell, so the
 * figure that compares is requests per server CPU-second (for the production stores: per CPU-second of the broker,
 * Redis and the database server together), which holds however busy the machine is. Prints figures; asserts nothing.
 *
 *   npm run bench:compare
 *   BENCH_CONCURRENCY=1,4,16,64 BENCH_SECONDS=3 BENCH_MAX=3000 BENCH_ROUNDS=1 npm run bench:compare
 *   BENCH_PATHS=refresh_token,client_credentials BENCH_SERVERS=memory,bare npm run bench:compare
 *   BENCH_CPU_PROF=/tmp/profiles npm run bench:compare   then node test/bench/profile-top.ts /tmp/profiles/<file>
 *   BENCH_PRELOAD_TOKENS=100000 npm run bench:compare    the same with that many live access tokens stored first
 *   BENCH_PRELOAD_PROFILES=100000 BENCH_PRELOAD_GRANTS=100000 npm run bench:compare
 *                                      each server started with that many more directory profiles (brokers) and live
 *                                      grants with a refresh token each (all three), written before it listens
 *                                      (preload.ts, preloaded-broker.ts): the per-request cost must not grow with them
 *   BENCH_WEBHOOK_INBOX=on npm run bench:compare         the brokers with the demo's webhook inbox subscribed
 *   BENCH_BASELINE=/tmp/before npm run bench:compare     each broker also as built by another checkout (its own
 *                                      src/main.ts and node_modules, e.g. `git worktree add /tmp/before <commit>`),
 *                                      measured in the same rounds: "before and after" from one run on one machine
 *
 * With BENCH_ROUNDS above 1, rounds are interleaved (every server of a cell, then the next cell, then again) and
 * each figure is the median of its rounds.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isolatedStoresEnv, TEST_PORTAL, basicAuth } from '../support/broker.ts';
import { startMongo } from '../support/mongo.ts';
import { createPortal } from '../support/portal.ts';
import { spawnBroker } from '../support/process-broker.ts';
import { startRedis } from '../support/redis.ts';
import { completeSignIn } from './complete-sign-in.ts';
import { startBareProvider } from './start-bare-provider.ts';
import { BARE_CLIENT, BENCH_RESOURCE, BENCH_RESOURCE_SCOPE } from './bench-clients.ts';
import { cpuSeconds, median, percentile, runLoad, type LoadResult } from './measure.ts';
import { printComparison, type Cell } from './print-comparison.ts';
import { measureSessionMemory } from './session-memory.ts';
import { preloadCounts } from './preload.ts';

const levels = (process.env.BENCH_CONCURRENCY ?? '1,4,16,64').split(',').map(Number);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const maxPerCell = Number(process.env.BENCH_MAX ?? 3000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
const PATHS = ['client_credentials', 'client_credentials_jwt', 'refresh_token', 'sign_in'] as const;
type Path = (typeof PATHS)[number];
const paths = (process.env.BENCH_PATHS?.split(',') ?? PATHS) as Path[];
const wanted = new Set(process.env.BENCH_SERVERS?.split(',') ?? ['memory', 'shared', 'bare']);
// Live tokens stored before measuring: the cost of a request must not grow with what the stores hold.
const preloadTokens = Number(process.env.BENCH_PRELOAD_TOKENS ?? 0);
// Directory profiles and live grants each server starts with (BENCH_PRELOAD_PROFILES, BENCH_PRELOAD_GRANTS).
const preload = preloadCounts();
const preloading = preload.profiles > 0 || preload.grants > 0;
// Another checkout of the broker to measure beside this one (its directory; its entry point is src/main.ts there).
const baseline = process.env.BENCH_BASELINE;
if (baseline && (preloading || process.env.BENCH_PRELOAD_TOKENS))
  throw new Error('BENCH_BASELINE measures two versions as they start; it does not combine with the preloads');
if (baseline && !existsSync(join(baseline, 'src', 'main.ts')))
  throw new Error(`BENCH_BASELINE=${baseline} is not a checkout of the broker: it has no src/main.ts`);
/** The preload's lines in a server's output ("preload directory (...): {...} in 12.3 s"), shown with the figures. */
const preloadLines = (name: string, output: string) =>
  output
    .split('\n')
    .filter((line) => line.startsWith('preload '))
    .map((line) => `${name}: ${line}\n`)
    .join('');

/** The service client the brokers get for client_credentials, with the resource server of the JWT path. */
const SERVICE = { id: 'bench-service', secret: 'bench-service-secret-0123456789abcdef' };
const brokerConfig = {
  signInLimit: { points: 100_000_000, windowSeconds: 60 },
  resourceServers: { [BENCH_RESOURCE]: {} },
  clients: [
    TEST_PORTAL,
    {
      client_id: SERVICE.id,
      client_secret: SERVICE.secret,
      client_name: 'Bench service',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
  ],
};

interface Server {
  /** memory, shared, bare; memory@base and shared@base for the brokers of BENCH_BASELINE. */
  name: string;
  issuer: string;
  pids(): number[];
  service: { id: string; secret: string };
  portal: { id: string; secret: string };
  refreshTokens(count: number): Promise<string[]>;
  signIn?(): Promise<void>;
  /** For the production stores: Redis, and the broker's key prefix there. */
  redis?: { url: string; prefix: string };
  stop(): Promise<void>;
}

async function brokerServer(stores: 'memory' | 'shared', baselineDir?: string): Promise<Server> {
  const name = baselineDir ? `${stores}@base` : stores;
  let env: Record<string, string> = {
    LOG_LEVEL: 'error',
    // The demo's webhook inbox (on by default for `npm start`) makes every sign-in's audit events webhook deliveries
    // to the broker itself, which then costs more CPU than the sign-in: measured apart, only when asked for.
    DEMO_WEBHOOK_INBOX: process.env.BENCH_WEBHOOK_INBOX === 'on' ? 'true' : 'false',
    // A CPU profile of each broker, written when it stops (read it with test/bench/profile-top.ts).
    ...(process.env.BENCH_CPU_PROF ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF}` } : {}),
  };
  const extra: { pid(): number | undefined; stop(): Promise<void> }[] = [];
  let redisAt: Server['redis'];
  if (stores === 'shared') {
    const [redis, mongo] = await Promise.all([startRedis(), startMongo()]);
    extra.push(redis, mongo);
    env = { ...env, ...isolatedStoresEnv(redis.url, mongo.uri) };
    redisAt = { url: redis.url, prefix: env.REDIS_PREFIX! };
  }
  // FerretDB 1.x (the test server unless MONGODB_URI names another) answers every query but one by `_id` by reading the
  // whole collection: on SQLite a find of an association by identity takes about 1 s at 10,000 documents and 5 s at
  // 50,000, whatever indexes the broker built. A large directory there measures FerretDB, not the broker (and takes
  // minutes to load), so the shared stores get the preloaded profiles only on a real MongoDB.
  const profiles = stores === 'shared' && !process.env.MONGODB_URI ? 0 : preload.profiles;
  if (profiles !== preload.profiles)
    process.stdout.write(`shared: BENCH_PRELOAD_PROFILES skipped on FerretDB (no indexed queries); set MONGODB_URI\n`);
  // With a preload, the bench's entry point (preloaded-broker.ts) fills the stores before the broker listens. A broker
  // that fails to start takes its Redis and database server down with it (the caller only stops servers it got).
  const start = () =>
    preloading
      ? spawnBroker(
          brokerConfig,
          {
            ...env,
            BENCH_PRELOAD_PROFILES: String(profiles),
            BENCH_PRELOAD_GRANTS: String(preload.grants),
            BENCH_PRELOAD_CLIENT: TEST_PORTAL.client_id,
          },
          { main: join(import.meta.dirname, 'preloaded-broker.ts'), readyWithinMs: 300_000 },
        )
      : spawnBroker(brokerConfig, env, baselineDir ? { main: join(baselineDir, 'src', 'main.ts') } : {});
  const broker = await start().catch(async (err: unknown) => {
    for (const e of extra) await e.stop();
    throw err;
  });
  process.stdout.write(preloadLines(name, broker.output()));
  const portal = await createPortal(broker.issuer);
  const offline = { scope: 'openid email profile org_profile offline_access' };
  return {
    name,
    issuer: broker.issuer,
    pids: () => [broker.pid, ...extra.map((e) => e.pid()).filter((pid): pid is number => pid !== undefined)],
    service: SERVICE,
    portal: { id: TEST_PORTAL.client_id, secret: TEST_PORTAL.client_secret },
    async refreshTokens(count) {
      const tokens: string[] = [];
      await runLoad(8, 600, count, async () => {
        tokens.push((await completeSignIn(portal, offline)).refresh_token!);
      });
      return tokens;
    },
    signIn: async () => void (await completeSignIn(portal)),
    ...(redisAt ? { redis: redisAt } : {}),
    async stop() {
      await broker.stop();
      for (const e of extra) await e.stop();
    },
  };
}

async function bareServer(): Promise<Server> {
  const bare = await startBareProvider(preload.grants);
  process.stdout.write(preloadLines('bare', bare.output()));
  return {
    name: 'bare',
    issuer: bare.issuer,
    pids: () => [bare.pid],
    service: BARE_CLIENT,
    portal: BARE_CLIENT,
    refreshTokens: (count) =>
      Promise.all(
        Array.from({ length: count }, async () => (await fetch(`${bare.issuer}/bench/refresh-token`)).text()),
      ),
    stop: bare.stop,
  };
}

/** One token request; throws unless it answered 200 with an access token. Returns the JSON answer. */
async function token(server: Server, client: { id: string; secret: string }, body: Record<string, string>) {
  const response = await fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: { authorization: basicAuth(client.id, client.secret) },
    body: new URLSearchParams(body),
  });
  const json = (await response.json()) as { access_token?: string; refresh_token?: string; error?: string };
  if (response.status !== 200 || !json.access_token) throw new Error(`${response.status} ${json.error ?? ''}`);
  return json;
}

/** The request of `path` for worker `w` of a cell; refresh tokens are rotated, so each worker follows its chain. */
function stepFor(server: Server, path: Path, chains: string[]): ((worker: number) => Promise<void>) | undefined {
  switch (path) {
    case 'client_credentials':
      return async () => void (await token(server, server.service, { grant_type: 'client_credentials' }));
    case 'client_credentials_jwt':
      return async () =>
        void (await token(server, server.service, {
          grant_type: 'client_credentials',
          resource: BENCH_RESOURCE,
          scope: BENCH_RESOURCE_SCOPE,
        }));
    case 'refresh_token':
      return async (worker) => {
        const answer = await token(server, server.portal, {
          grant_type: 'refresh_token',
          refresh_token: chains[worker]!,
        });
        chains[worker] = answer.refresh_token ?? chains[worker]!;
      };
    case 'sign_in':
      return server.signIn;
  }
}

const servers: Server[] = [];
try {
  for (const stores of ['memory', 'shared'] as const) {
    if (!wanted.has(stores)) continue;
    servers.push(await brokerServer(stores));
    if (baseline) servers.push(await brokerServer(stores, baseline));
  }
  if (wanted.has('bare')) servers.push(await bareServer());
  const maxLevel = Math.max(...levels);
  const chains = new Map<Server, string[]>();
  if (paths.includes('refresh_token'))
    for (const server of servers) chains.set(server, await server.refreshTokens(maxLevel));

  for (const server of servers) {
    if (!preloadTokens) break;
    const issue = stepFor(server, 'client_credentials', [])!;
    const loaded = await runLoad(16, 3600, preloadTokens, issue);
    process.stdout.write(`${server.name}: ${loaded.ok} access tokens stored first (${loaded.errors} errors)\n`);
  }
  process.stdout.write(
    `bench:compare on ${(await import('node:os')).cpus().length} cores, Node.js ${process.versions.node}: ` +
      `${seconds} s or ${maxPerCell} requests per cell, ${rounds} round(s), servers ${servers.map((s) => s.name).join(', ')}\n`,
  );
  // Warm-up: discovery, JIT, connection pools, the first keys.
  for (const server of servers)
    for (const path of paths) {
      const step = stepFor(server, path, chains.get(server) ?? []);
      if (step) await runLoad(Math.min(4, maxLevel), 1, 200, step);
    }

  const results = new Map<string, { result: LoadResult; cpu: number; ownCpu: number }[]>();
  for (let round = 0; round < rounds; round++)
    for (const path of paths)
      for (const level of levels)
        for (const server of servers) {
          const step = stepFor(server, path, chains.get(server) ?? []);
          if (!step) continue;
          const [own, ...stores] = server.pids();
          const before = [cpuSeconds([own!]), cpuSeconds(stores)];
          const result = await runLoad(level, seconds, maxPerCell, step);
          const ownCpu = cpuSeconds([own!]) - before[0]!;
          const cpu = ownCpu + cpuSeconds(stores) - before[1]!;
          const key = `${path}|${level}|${server.name}`;
          results.set(key, [...(results.get(key) ?? []), { result, cpu, ownCpu }]);
        }

  const cells: Cell[] = [...results].map(([key, runs]) => {
    const [path, level, server] = key.split('|') as [string, string, string];
    const byRound = runs.map((r) => (r.cpu > 0 ? r.result.ok / r.cpu : NaN));
    return {
      path,
      level: Number(level),
      server,
      perSecond: median(runs.map((r) => r.result.ok / r.result.seconds)),
      perCpuSecond: median(byRound),
      perCpuSecondByRound: byRound,
      perOwnCpuSecond: median(runs.map((r) => (r.ownCpu > 0 ? r.result.ok / r.ownCpu : NaN))),
      p50: median(runs.map((r) => percentile(r.result.latencies, 50))),
      p99: median(runs.map((r) => percentile(r.result.latencies, 99))),
      errors: runs.reduce((sum, r) => sum + r.result.errors, 0),
      firstError: runs.find((r) => r.result.firstError)?.result.firstError,
    };
  });
  printComparison(cells, (line) => process.stdout.write(`${line}\n`));

  // What a signed-in session leaves in Redis: 100 sign-ins with offline access, each a new session.
  for (const shared of servers.filter((server) => server.redis && paths.includes('sign_in'))) {
    const portal = await createPortal(shared.issuer);
    const memory = await measureSessionMemory(
      shared.redis!.url,
      shared.redis!.prefix,
      async () => void (await completeSignIn(portal, { scope: 'openid email profile org_profile offline_access' })),
      100,
    );
    process.stdout.write(
      `\n${shared.name}: Redis memory per signed-in session (session, grant, access and refresh token, their indexes, ` +
        `details: ${memory.lastingKeys.toFixed(1)} new keys; and the account's index growing): ` +
        `${Math.round(memory.lastingBytes)} bytes; passing with the sign-in ` +
        `(interaction, spent code, upstream round trip, limits; expires within minutes): ${Math.round(memory.passingBytes)} bytes\n`,
    );
  }
} finally {
  for (const server of servers) await server.stop();
}

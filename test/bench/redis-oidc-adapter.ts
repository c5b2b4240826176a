/**
 * The Redis oidc adapter alone, without HTTP or oidc-provider: the adapter calls of a rotating refresh_token grant
 * (the redeemed token's save, then find it, find its grant, consume it, save the new refresh token and the access
 * token), `count` of them at each concurrency, and the CPU they cost this process and redis-server, per grant. The
 * end-to-end benchmark (compare.ts) spends most of its CPU elsewhere, so a change in the adapter shows here first.
 * Prints figures; asserts nothing.
 *
 *   node test/bench/redis-oidc-adapter.ts
 *   ADAPTER_BENCH_COUNT=10000 BENCH_CONCURRENCY=1,16,64 node test/bench/redis-oidc-adapter.ts
 */
import { createRedis } from '../../src/stores/redis/connection.ts';
import { createRedisOidcAdapter } from '../../src/stores/redis/oidc-adapter.ts';
import { startRedis } from '../support/redis.ts';
import { cpuSeconds } from './measure.ts';

const count = Number(process.env.ADAPTER_BENCH_COUNT ?? 4000);
const levels = (process.env.BENCH_CONCURRENCY ?? '1,16').split(',').map(Number);

const server = await startRedis();
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const redis = createRedis(server.url, silent);
await new Promise((resolve) => redis.once('ready', resolve));
const adapter = createRedisOidcAdapter(redis, 'bench');
const ownCpu = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

let next = 0;
/** One grant per worker, as many refresh tokens of it as the worker redeems. */
async function refreshGrant(worker: number) {
  const grantId = `g${worker}`;
  const id = `rt${worker}-${next++}`;
  const token = (jti: string) => ({ jti, grantId, accountId: 'a' });
  await adapter('RefreshToken').upsert(id, token(id), 3600);
  await adapter('RefreshToken').find(id);
  await adapter('Grant').find(grantId);
  await adapter('RefreshToken').consume(id);
  await adapter('RefreshToken').upsert(`${id}-next`, token(`${id}-next`), 3600);
  await adapter('AccessToken').upsert(`at-${id}`, token(`at-${id}`), 600);
}

try {
  process.stdout.write(`Redis oidc adapter: ${count} refresh_token grants per concurrency, after as many to warm up\n`);
  for (let worker = 0; worker < Math.max(...levels); worker++)
    await adapter('Grant').upsert(`g${worker}`, { jti: `g${worker}`, accountId: 'a' }, 3600);
  for (const concurrency of levels) {
    const run = async () => {
      let left = count;
      await Promise.all(
        Array.from({ length: concurrency }, async (_, worker) => {
          while (left-- > 0) await refreshGrant(worker);
        }),
      );
    };
    await run();
    const [node0, redis0, start] = [ownCpu(), cpuSeconds([server.pid()!]), performance.now()];
    await run();
    const [node1, redis1, end] = [ownCpu(), cpuSeconds([server.pid()!]), performance.now()];
    const perGrant = (seconds: number) => `${((seconds / count) * 1e6).toFixed(0)} µs`;
    process.stdout.write(
      `  concurrency ${String(concurrency).padStart(3)}: ${(count / (node1 - node0 + redis1 - redis0)).toFixed(0)} ` +
        `grants per CPU-second (Node.js ${perGrant(node1 - node0)}, Redis ${perGrant(redis1 - redis0)} per grant), ` +
        `${(count / ((end - start) / 1000)).toFixed(0)} per second\n`,
    );
  }
} finally {
  redis.disconnect();
  await server.stop();
}

/**
 * Sign-in benchmark: complete sign-ins (portal → broker → development upstream → broker → portal, then the code
 * redeemed at /token) against a broker in its own process, on loopback, at rising concurrency. Prints figures;
 * asserts nothing. Bounded in time and count.
 *
 *   npm run bench                                  memory stores
 *   BENCH_STORES=shared npm run bench              Redis + MongoDB (FerretDB unless MONGODB_URI is set)
 *   BENCH_CONCURRENCY=4,8,16 BENCH_SECONDS=15 BENCH_MAX=2000 npm run bench
 *
 * The last level is meant to be about twice the one where throughput stops growing: the overload check. What to
 * look for there is errors (there should be none: requests queue, nothing fails) and how latency grows.
 */
import { isolatedStoresEnv } from '../support/broker.ts';
import { completeSignIn } from './complete-sign-in.ts';
import { percentile, runLoad } from './measure.ts';
import { startMongo } from '../support/mongo.ts';
import { createPortal } from '../support/portal.ts';
import { spawnBroker } from '../support/process-broker.ts';
import { startRedis } from '../support/redis.ts';

const levels = (process.env.BENCH_CONCURRENCY ?? '1,4,8,16').split(',').map(Number);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const maxPerLevel = Number(process.env.BENCH_MAX ?? 1500);
const shared = process.env.BENCH_STORES === 'shared';

const stops: (() => Promise<void>)[] = [];
let env: Record<string, string> = { LOG_LEVEL: 'error' };
if (shared) {
  const [redis, mongo] = await Promise.all([startRedis(), startMongo()]);
  stops.push(redis.stop, mongo.stop);
  env = { ...env, ...isolatedStoresEnv(redis.url, mongo.uri) };
}
// Every sign-in comes from 127.0.0.1: the per-address limit on starting sign-ins would be the thing measured.
const broker = await spawnBroker({ signInLimit: { points: 1_000_000, windowSeconds: 60 } }, env);
stops.unshift(() => broker.stop());
const portal = await createPortal(broker.issuer);

try {
  for (let i = 0; i < 20; i++) await completeSignIn(portal); // warm-up: discovery, JIT, connection pools
  process.stdout.write(
    `sign-in benchmark: ${shared ? 'Redis + MongoDB' : 'memory'} stores, broker in its own process, ${seconds} s or ${maxPerLevel} sign-ins per level\n`,
  );
  process.stdout.write('concurrency  sign-ins  errors  per second   p50 ms   p95 ms   p99 ms   max ms\n');
  for (const concurrency of levels) {
    const result = await runLoad(concurrency, seconds, maxPerLevel, async () => void (await completeSignIn(portal)));
    const cells = [
      String(concurrency).padStart(11),
      String(result.ok).padStart(9),
      String(result.errors).padStart(7),
      (result.ok / result.seconds).toFixed(1).padStart(11),
      ...[50, 95, 99].map((p) => percentile(result.latencies, p).toFixed(0).padStart(8)),
      (result.latencies.at(-1) ?? NaN).toFixed(0).padStart(8),
    ];
    process.stdout.write(`${cells.join(' ')}\n`);
    if (result.firstError) process.stdout.write(`  first error: ${result.firstError}\n`);
  }
} finally {
  for (const stop of stops) await stop();
}

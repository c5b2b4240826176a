/**
 * Store round trips of a complete brokered sign-in on the production stores: the broker in its own process on Redis
 * and a MongoDB-protocol server (FerretDB unless MONGODB_URI is set), `count` sign-ins one after another, and the
 * Redis commands (INFO commandstats, before and after) and MongoDB commands (serverStatus metrics.commands) they
 * caused, per sign-in. With STORE_OPS_MONITOR=on, the Redis commands of one more sign-in are listed in order (MONITOR),
 * keys without the broker's prefix: where a round trip could go. Prints figures; asserts nothing.
 *
 *   node test/bench/store-operations.ts
 *   STORE_OPS_COUNT=50 STORE_OPS_MONITOR=on BENCH_WEBHOOK_INBOX=on node test/bench/store-operations.ts
 *
 * What the broker does in the background (the job queues' polling, the webhook relay) is counted too; with many
 * sign-ins it is a small share, and it shows as the commands no sign-in step would send.
 */
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { isolatedStoresEnv } from '../support/broker.ts';
import { startMongo } from '../support/mongo.ts';
import { createPortal } from '../support/portal.ts';
import { spawnBroker } from '../support/process-broker.ts';
import { startRedis } from '../support/redis.ts';
import { completeSignIn } from './complete-sign-in.ts';

const count = Number(process.env.STORE_OPS_COUNT ?? 20);
const monitor = process.env.STORE_OPS_MONITOR === 'on';

/** Calls per Redis command so far (the commands this tool sends itself are left out). */
async function redisCalls(redis: Redis): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const line of (await redis.info('commandstats')).split('\r\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (match && !['info', 'config', 'monitor', 'ping', 'hello', 'client'].includes(match[1]!))
      calls.set(match[1]!, Number(match[2]));
  }
  return calls;
}

/** Calls per MongoDB command so far (FerretDB and MongoDB both count them in serverStatus). */
async function mongoCalls(db: mongoose.mongo.Db): Promise<Map<string, number>> {
  const status = await db.admin().command({ serverStatus: 1 });
  const commands = (status.metrics?.commands ?? {}) as Record<string, { total?: number | { toNumber(): number } }>;
  const calls = new Map<string, number>();
  for (const [name, counts] of Object.entries(commands)) {
    const total = typeof counts.total === 'object' ? counts.total.toNumber() : Number(counts.total ?? 0);
    if (!['serverStatus', 'ping', 'hello', 'isMaster', 'ismaster', 'endSessions', 'unknown'].includes(name))
      calls.set(name, total);
  }
  return calls;
}

function perSignIn(before: Map<string, number>, after: Map<string, number>): [string, number][] {
  return [...after]
    .map(([name, calls]): [string, number] => [name, (calls - (before.get(name) ?? 0)) / count])
    .filter(([, calls]) => calls > 0)
    .sort((a, b) => b[1] - a[1]);
}

function print(title: string, rows: [string, number][]) {
  const total = rows.reduce((sum, [, calls]) => sum + calls, 0);
  process.stdout.write(`\n${title}: ${total.toFixed(1)} per sign-in\n`);
  for (const [name, calls] of rows) process.stdout.write(`  ${name.padEnd(24)} ${calls.toFixed(2)}\n`);
}

const [redisServer, mongoServer] = await Promise.all([startRedis(), startMongo()]);
const stores = isolatedStoresEnv(redisServer.url, mongoServer.uri);
const broker = await spawnBroker(
  { signInLimit: { points: 1_000_000, windowSeconds: 60 } },
  { LOG_LEVEL: 'error', DEMO_WEBHOOK_INBOX: process.env.BENCH_WEBHOOK_INBOX === 'on' ? 'true' : 'false', ...stores },
);
const redis = new Redis(redisServer.url);
const mongo = await mongoose.createConnection(mongoServer.uri).asPromise();
try {
  const portal = await createPortal(broker.issuer);
  for (let i = 0; i < 5; i++) await completeSignIn(portal); // warm-up: discovery, the first keys and collections
  const before = { redis: await redisCalls(redis), mongo: await mongoCalls(mongo.db!) };
  for (let i = 0; i < count; i++) await completeSignIn(portal);
  const after = { redis: await redisCalls(redis), mongo: await mongoCalls(mongo.db!) };
  process.stdout.write(`store operations of ${count} complete sign-ins, one after another`);
  print('Redis commands', perSignIn(before.redis, after.redis));
  print('MongoDB commands', perSignIn(before.mongo, after.mongo));

  if (monitor) {
    const watcher = await redis.monitor();
    const lines: string[] = [];
    watcher.on('monitor', (_time: string, args: string[]) => {
      if (!['info', 'ping'].includes(args[0]!.toLowerCase()))
        lines.push(args.map((a) => a.replaceAll(stores.REDIS_PREFIX!, '').slice(0, 80)).join(' '));
    });
    await completeSignIn(portal);
    watcher.disconnect();
    process.stdout.write(`\nRedis commands of one sign-in, in order (${lines.length}):\n`);
    for (const line of lines) process.stdout.write(`  ${line}\n`);
  }
} finally {
  redis.disconnect();
  await mongo.close();
  await broker.stop();
  await redisServer.stop();
  await mongoServer.stop();
}

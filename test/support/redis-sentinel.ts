import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { redisAnswers } from './redis.ts';
import { freePort } from './free-port.ts';
import { stopChild, waitUntil } from './wait.ts';

/**
 * A Redis master, one replica and one Sentinel watching them (Debian's redis-server, which runs a Sentinel with
 * --sentinel), on free loopback ports. `killMaster` makes the Sentinel fail over to the replica.
 */
export async function startRedisWithSentinel() {
  const dir = mkdtempSync(join(tmpdir(), 'redis-sentinel-'));
  const [masterPort, replicaPort, sentinelPort] = [await freePort(), await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  const server = (port: number, extra: string[] = []) => {
    // Its own directory: a replica's full sync writes an RDB file, which must not land in the working directory.
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        mkdtempSync(join(dir, 'server-')),
        ...extra,
      ],
      { stdio: 'ignore' },
    );
    children.push(child);
    return child;
  };
  // Redis 7 waits 5 s before a diskless full sync, to batch replicas; one replica need not wait.
  const master = server(masterPort, ['--repl-diskless-sync-delay', '0']);
  server(replicaPort, ['--replicaof', '127.0.0.1', String(masterPort)]);
  const sentinelConfig = join(dir, 'sentinel.conf');
  writeFileSync(
    sentinelConfig,
    [
      `port ${sentinelPort}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor broker 127.0.0.1 ${masterPort} 1`,
      'sentinel down-after-milliseconds broker 1000',
      'sentinel failover-timeout broker 5000',
      '',
    ].join('\n'),
  );
  children.push(spawn('redis-server', [sentinelConfig, '--sentinel'], { stdio: 'ignore' }));
  await waitUntil(
    async () =>
      (await redisAnswers(masterPort)) && (await redisAnswers(replicaPort)) && (await redisAnswers(sentinelPort)),
    10_000,
    'Redis master, replica and Sentinel',
  );

  const sentinel = new Redis({ port: sentinelPort, host: '127.0.0.1', lazyConnect: true });
  sentinel.on('error', () => undefined);
  await sentinel.connect();
  const currentMasterPort = async () =>
    Number(((await sentinel.call('SENTINEL', 'get-master-addr-by-name', 'broker')) as string[])[1]);
  const replica = new Redis({ port: replicaPort, host: '127.0.0.1', lazyConnect: true });
  replica.on('error', () => undefined);
  await replica.connect();
  await waitUntil(
    async () => (await replica.info('replication')).includes('master_link_status:up'),
    15_000,
    'the replica to sync with the master',
  );
  replica.disconnect();
  // The Sentinel must have seen the replica before it can fail over to it.
  await waitUntil(
    async () => ((await sentinel.call('SENTINEL', 'replicas', 'broker')) as unknown[]).length === 1,
    15_000,
    'the Sentinel to discover the replica',
  );

  return {
    url: `redis-sentinel://127.0.0.1:${sentinelPort}/broker`,
    masterPort,
    replicaPort,
    currentMasterPort,
    killMaster: () => stopChild(master, 'SIGKILL'),
    /**
     * Waits until the replica has acknowledged every write the master took (Redis WAIT). Replication is
     * asynchronous: without this, the last writes before a failover may be lost, as they can be in production.
     */
    async replicaCaughtUp() {
      const client = new Redis({ port: masterPort, host: '127.0.0.1', lazyConnect: true });
      client.on('error', () => undefined);
      try {
        await client.connect();
        const acknowledged = (await client.call('WAIT', '1', '5000')) as number;
        if (acknowledged < 1) throw new Error("the replica did not acknowledge the master's writes within 5 s");
      } finally {
        client.disconnect();
      }
    },
    async stop() {
      sentinel.disconnect();
      await Promise.all(children.map((c) => stopChild(c)));
    },
  };
}

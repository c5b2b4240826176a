import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { redisAnswers } from './redis.ts';
import { freePort } from './free-port.ts';
import { stopChild, waitUntil } from './wait.ts';

interface Node {
  port: number;
  child: ChildProcess;
}

/**
 * A real Redis Cluster: three masters and one replica each (Debian's redis-server with `cluster-enabled yes`), on
 * free loopback ports, joined by `redis-cli --cluster create`. `killMasterOf(key)` kills the master that serves a
 * key's slot; its replica takes over after `cluster-node-timeout`, as in production.
 */
export async function startRedisCluster() {
  if (spawnSync('redis-cli', ['--version']).status !== 0)
    throw new Error("The Redis Cluster tests need Debian's redis-server (apt-get install redis-server).");
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  const nodes: Node[] = [];
  const spawnNode = async (): Promise<Node> => {
    // The cluster bus gets a free port of its own: the default (port + 10000) may be taken or out of range.
    const [port, busPort] = [await freePort(), await freePort()];
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--cluster-port',
        String(busPort),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        // Short, so that a failover in a test takes a couple of seconds; production keeps the default 15 s.
        '--cluster-node-timeout',
        '2000',
        '--save',
        '',
        '--appendonly',
        'no',
        '--repl-diskless-sync-delay',
        '0',
        '--dir',
        mkdtempSync(join(dir, 'server-')),
      ],
      { stdio: 'ignore' },
    );
    return { port, child };
  };
  for (let i = 0; i < 6; i++) nodes.push(await spawnNode());
  const stop = () => Promise.all(nodes.map((n) => stopChild(n.child)));
  /** One command to one node, on a connection of its own. */
  const ask = async <T>(port: number, run: (redis: Redis) => Promise<T>): Promise<T> => {
    const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      return await run(redis);
    } finally {
      redis.disconnect();
    }
  };
  try {
    await waitUntil(
      async () => {
        // A node whose port another process took meanwhile (free ports are only free when asked) exits at once:
        // it starts again on other ports.
        for (const [i, n] of nodes.entries())
          if (n.child.exitCode !== null || n.child.signalCode !== null) nodes[i] = await spawnNode();
        return (await Promise.all(nodes.map((n) => redisAnswers(n.port)))).every(Boolean);
      },
      60_000,
      'six Redis Cluster nodes',
    );
    // The first three become masters, each of the others a replica of one of them.
    const created = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    await waitUntil(() => clusterHealthy(nodes.map((n) => n.port)), 30_000, 'the Redis Cluster to be ok on every node');
  } catch (err) {
    await stop();
    throw err;
  }

  const alive = () => nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);

  return {
    url: `redis-cluster://${nodes
      .slice(0, 3)
      .map((n) => `127.0.0.1:${n.port}`)
      .join(',')}`,
    ports: nodes.map((n) => n.port),
    /** The port of the master that serves a key's slot now. */
    async masterOf(key: string): Promise<number> {
      const slot = await ask(alive()[0]!.port, (r) => r.call('CLUSTER', 'KEYSLOT', key) as Promise<number>);
      const shard = (await slots(alive()[0]!.port)).find(([from, to]) => slot >= from && slot <= to);
      if (!shard) throw new Error(`no master serves slot ${slot}`);
      return shard[2][1];
    },
    /**
     * Waits until every replica has acknowledged every write its master took (Redis WAIT on each master).
     * Replication is asynchronous: without this, the last writes before a failover may be lost, as in production.
     */
    async replicasCaughtUp() {
      for (const n of alive()) {
        const role = await ask(n.port, (r) => r.call('ROLE') as Promise<[string]>);
        if (role[0] !== 'master') continue;
        const acknowledged = await ask(n.port, (r) => r.call('WAIT', '1', '5000') as Promise<number>);
        if (acknowledged < 1) throw new Error(`the replica of ${n.port} did not acknowledge its writes within 5 s`);
      }
    },
    /** Kills the master on `port` (SIGKILL, no goodbye) and waits until its replica serves its slots. */
    async killMaster(port: number) {
      const node = nodes.find((n) => n.port === port);
      if (!node) throw new Error(`no node on ${port}`);
      await stopChild(node.child, 'SIGKILL');
      // Until the others mark it failed (cluster-node-timeout), they still say it serves its slots and all is well.
      await waitUntil(
        async () =>
          (await clusterHealthy(alive().map((n) => n.port))) &&
          (await Promise.all(alive().map((n) => masters(n.port).catch(() => [port])))).every(
            (ports) => !ports.includes(port),
          ),
        30_000,
        'a replica to take over the killed master and the cluster to be ok again',
      );
    },
    stop,
  };

  /** The slot ranges a node says each master serves: [from, to, [host, port], …replicas]. */
  function slots(port: number) {
    return ask(port, (r) => r.call('CLUSTER', 'SLOTS') as Promise<[number, number, [string, number]][]>);
  }
  async function masters(port: number): Promise<number[]> {
    return (await slots(port)).map((shard) => shard[2][1]);
  }

  async function clusterHealthy(ports: number[]): Promise<boolean> {
    try {
      const infos = await Promise.all(ports.map((port) => ask(port, (r) => r.cluster('INFO') as Promise<string>)));
      return infos.every((info) => info.includes('cluster_state:ok') && info.includes('cluster_slots_ok:16384'));
    } catch {
      return false;
    }
  }
}

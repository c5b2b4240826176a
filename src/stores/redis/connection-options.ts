import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** A connection to one Redis (a server, or the master Sentinels name) or to a Redis Cluster: the stores take either. */
export type RedisClient = Redis | Cluster;

const SENTINEL_URL = /^redis-sentinel:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?]+)\/([^/?]+)(?:\?(.*))?$/;
const CLUSTER_URL = /^(rediss?)-cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?]+)\/?(?:\?(.*))?$/;

export type RedisTarget =
  | { kind: 'server'; url: string }
  | { kind: 'sentinel'; options: RedisOptions }
  | { kind: 'cluster'; nodes: { host: string; port: number }[]; options: RedisOptions };

/**
 * Where to connect, from REDIS_URL:
 * - `redis://` or `rediss://` names one server (ioredis reads the URL as is);
 * - `redis-sentinel://[user:password@]host:port[,host:port…]/<master name>[?db=N&sentinelPassword=…]` names the
 *   Sentinels that know the current master: ioredis asks them, and asks again after a failover;
 * - `redis-cluster://[user:password@]host:port[,host:port…]` (`rediss-cluster://` for TLS) names some nodes of a Redis
 *   Cluster: ioredis learns the others and the slots from them, and follows MOVED and failovers.
 * Every connection (the stores' and the queues') is made from this, the same way.
 */
export function redisTarget(url: string): RedisTarget {
  const cluster = CLUSTER_URL.exec(url);
  if (cluster) {
    const [, scheme, username, password, hosts, query] = cluster;
    if (query) throw new Error('REDIS_URL: a redis-cluster:// URL takes no parameters (every node uses database 0)');
    return {
      kind: 'cluster',
      nodes: hostPorts(hosts!, 6379, 'each cluster node'),
      options: {
        ...credentials(username, password),
        ...(scheme === 'rediss' ? { tls: {} } : {}),
      },
    };
  }
  const sentinel = SENTINEL_URL.exec(url);
  if (!sentinel) {
    if (!/^rediss?:\/\//.test(url))
      throw new Error('REDIS_URL must start with redis://, rediss://, redis-sentinel:// or redis-cluster://');
    return { kind: 'server', url };
  }
  const [, username, password, hosts, name, query] = sentinel;
  const parameters = new URLSearchParams(query ?? '');
  return {
    kind: 'sentinel',
    options: {
      sentinels: hostPorts(hosts!, 26379, 'each Sentinel'),
      name: decodeURIComponent(name!),
      ...credentials(username, password),
      ...(parameters.get('sentinelPassword') ? { sentinelPassword: parameters.get('sentinelPassword')! } : {}),
      ...(parameters.get('db') ? { db: Number(parameters.get('db')) } : {}),
    },
  };
}

function hostPorts(hosts: string, defaultPort: number, what: string) {
  const list = hosts.split(',').map((hostPort) => {
    const [host, port] = hostPort.split(':');
    return { host: host!, port: Number(port ?? defaultPort) };
  });
  if (list.some((s) => !s.host || !Number.isInteger(s.port) || s.port <= 0))
    throw new Error(`REDIS_URL: ${what} must be host:port`);
  return list;
}

function credentials(username: string | undefined, password: string | undefined) {
  return {
    ...(username ? { username: decodeURIComponent(username) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
  };
}

/**
 * A new ioredis client for REDIS_URL with the caller's behaviour options. For a cluster, the options that are the
 * whole client's (offline queue, lazy connect, auto-pipelining, reconnection) go to the Cluster and the rest to each
 * node's connection.
 */
export function connectRedis(url: string, options: RedisOptions): RedisClient {
  const target = redisTarget(url);
  if (target.kind === 'server') return new Redis(target.url, options);
  if (target.kind === 'sentinel') return new Redis({ ...options, ...target.options });
  const { enableOfflineQueue, lazyConnect, enableAutoPipelining, retryStrategy, ...perNode } = options;
  const clusterOptions: ClusterOptions = {
    redisOptions: { ...perNode, ...target.options },
    ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
    ...(lazyConnect !== undefined ? { lazyConnect } : {}),
    ...(enableAutoPipelining !== undefined ? { enableAutoPipelining } : {}),
    ...(retryStrategy ? { clusterRetryStrategy: (attempt: number) => retryStrategy(attempt) } : {}),
    // A failover moves slots to the promoted replica: ask again soon rather than fail the command.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    slotsRefreshTimeout: 2000,
  };
  return new Cluster(target.nodes, clusterOptions);
}

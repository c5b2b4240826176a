import { Redis, type RedisOptions } from 'ioredis';

const SENTINEL_URL = /^redis-sentinel:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?]+)\/([^/?]+)(?:\?(.*))?$/;

/**
 * Where to connect, from REDIS_URL. A `redis://` or `rediss://` URL names one server (ioredis reads it as is). A
 * `redis-sentinel://[user:password@]host:port[,host:port…]/<master name>[?db=N&sentinelPassword=…]` URL names the
 * Sentinels that know the current master: ioredis asks them, and asks again after a failover. Returns the ioredis
 * options for either, so every connection (the stores' and the mail queue's) is made the same way.
 */
export function redisConnectionOptions(url: string): { url?: string; options: RedisOptions } {
  const sentinel = SENTINEL_URL.exec(url);
  if (!sentinel) {
    if (!/^rediss?:\/\//.test(url))
      throw new Error('REDIS_URL must start with redis://, rediss:// or redis-sentinel://');
    return { url, options: {} };
  }
  const [, username, password, hosts, name, query] = sentinel;
  const parameters = new URLSearchParams(query ?? '');
  const sentinels = hosts!.split(',').map((hostPort) => {
    const [host, port] = hostPort.split(':');
    return { host: host!, port: Number(port ?? 26379) };
  });
  if (sentinels.some((s) => !s.host || !Number.isInteger(s.port) || s.port <= 0))
    throw new Error('REDIS_URL: each Sentinel must be host:port');
  return {
    options: {
      sentinels,
      name: decodeURIComponent(name!),
      ...(username ? { username: decodeURIComponent(username) } : {}),
      ...(password ? { password: decodeURIComponent(password) } : {}),
      ...(parameters.get('sentinelPassword') ? { sentinelPassword: parameters.get('sentinelPassword')! } : {}),
      ...(parameters.get('db') ? { db: Number(parameters.get('db')) } : {}),
    },
  };
}

/** A new ioredis client for REDIS_URL (one server or Sentinels) with the caller's behaviour options. */
export function connectRedis(url: string, options: RedisOptions): Redis {
  const target = redisConnectionOptions(url);
  return target.url ? new Redis(target.url, options) : new Redis({ ...options, ...target.options });
}

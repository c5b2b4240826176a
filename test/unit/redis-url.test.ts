import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/load.ts';
import { redisTarget } from '../../src/stores/redis/connection-options.ts';

describe('REDIS_URL', () => {
  it('passes a single-server URL to ioredis as it is', () => {
    expect(redisTarget('redis://redis:6379/0')).toEqual({ kind: 'server', url: 'redis://redis:6379/0' });
    expect(redisTarget('rediss://:pw@redis.example:6380')).toEqual({
      kind: 'server',
      url: 'rediss://:pw@redis.example:6380',
    });
  });

  it('reads Sentinels, the master name, credentials and database from a redis-sentinel URL', () => {
    expect(redisTarget('redis-sentinel://s1:26379,s2,10.0.0.3:26380/mymaster')).toEqual({
      kind: 'sentinel',
      options: {
        sentinels: [
          { host: 's1', port: 26379 },
          { host: 's2', port: 26379 },
          { host: '10.0.0.3', port: 26380 },
        ],
        name: 'mymaster',
      },
    });
    expect(redisTarget('redis-sentinel://app:p%40ss@s1:26379/main?db=2&sentinelPassword=sp')).toEqual({
      kind: 'sentinel',
      options: {
        sentinels: [{ host: 's1', port: 26379 }],
        name: 'main',
        username: 'app',
        password: 'p@ss',
        db: 2,
        sentinelPassword: 'sp',
      },
    });
  });

  it('reads the nodes, credentials and TLS of a redis-cluster URL', () => {
    expect(redisTarget('redis-cluster://r1:7000,r2,10.0.0.3:7002')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'r1', port: 7000 },
        { host: 'r2', port: 6379 },
        { host: '10.0.0.3', port: 7002 },
      ],
      options: {},
    });
    expect(redisTarget('rediss-cluster://app:p%40ss@r1:7000/')).toEqual({
      kind: 'cluster',
      nodes: [{ host: 'r1', port: 7000 }],
      options: { username: 'app', password: 'p@ss', tls: {} },
    });
    expect(
      loadConfig({ REDIS_URL: 'redis-cluster://r1:7000,r2:7001', MONGODB_URI: 'mongodb://m/b' }).stores.redisUrl,
    ).toBe('redis-cluster://r1:7000,r2:7001');
  });

  it('refuses anything else with a message that names the accepted forms', () => {
    expect(() => redisTarget('redis-sentinel://s1:notaport/m')).toThrow('each Sentinel must be host:port');
    expect(() => redisTarget('redis-cluster://r1:7000,:7001')).toThrow('each cluster node must be host:port');
    expect(() => redisTarget('redis-cluster://r1:7000?db=2')).toThrow('takes no parameters');
    expect(() => loadConfig({ REDIS_URL: 'http://redis:6379', MONGODB_URI: 'mongodb://m/b' })).toThrow(
      /must start with redis:\/\/, rediss:\/\/, redis-sentinel:\/\/ or redis-cluster:\/\//,
    );
  });
});

import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/load.ts';
import { redisConnectionOptions } from '../../src/stores/redis/connection-options.ts';

describe('REDIS_URL', () => {
  it('passes a single-server URL to ioredis as it is', () => {
    expect(redisConnectionOptions('redis://redis:6379/0')).toEqual({ url: 'redis://redis:6379/0', options: {} });
    expect(redisConnectionOptions('rediss://:pw@redis.example:6380')).toEqual({
      url: 'rediss://:pw@redis.example:6380',
      options: {},
    });
  });

  it('reads Sentinels, the master name, credentials and database from a redis-sentinel URL', () => {
    expect(redisConnectionOptions('redis-sentinel://s1:26379,s2,10.0.0.3:26380/mymaster')).toEqual({
      options: {
        sentinels: [
          { host: 's1', port: 26379 },
          { host: 's2', port: 26379 },
          { host: '10.0.0.3', port: 26380 },
        ],
        name: 'mymaster',
      },
    });
    expect(redisConnectionOptions('redis-sentinel://app:p%40ss@s1:26379/main?db=2&sentinelPassword=sp')).toEqual({
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

  it('refuses anything else with a message that names the accepted forms', () => {
    expect(() => redisConnectionOptions('redis-sentinel://s1:notaport/m')).toThrow('each Sentinel must be host:port');
    expect(() => loadConfig({ REDIS_URL: 'http://redis:6379', MONGODB_URI: 'mongodb://m/b' })).toThrow(
      /must start with redis:\/\/, rediss:\/\/ or redis-sentinel:\/\//,
    );
  });
});

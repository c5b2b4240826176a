import { describe, expect, it } from '@jest/globals';
import { randomToken } from '../../src/shared/ids.ts';
import type { RedisClient } from '../../src/stores/redis/connection-options.ts';
import { createRedisOidcAdapter } from '../../src/stores/redis/oidc-adapter.ts';

/**
 * What the Redis oidc adapter leaves in Redis, key by key: during a rolling upgrade the previous release reads and
 * writes the same keys, so their names, values and TTLs are part of the contract, however few commands write them.
 * Run on one server (one script per upsert) and on a Redis Cluster (an index script, then the payload).
 */
export function redisOidcLayoutContract(name: string, redis: () => RedisClient) {
  describe(`${name} oidc adapter keys`, () => {
    const setup = () => {
      const prefix = `layout-${randomToken(6)}`;
      return { prefix, adapter: createRedisOidcAdapter(redis(), prefix) };
    };
    const near = (ms: number) => [ms - 5000, ms] as const;
    const expectTtl = async (key: string, ms: number) => {
      const [low, high] = near(ms);
      const ttl = await redis().pttl(key);
      expect(ttl).toBeGreaterThan(low);
      expect(ttl).toBeLessThanOrEqual(high);
    };

    it('stores a token as its JSON with its TTL, and its key in its grant index', async () => {
      const { prefix, adapter } = setup();
      const payload = { jti: 'at', grantId: 'g', kind: 'AccessToken', exp: 1 };
      await adapter('AccessToken').upsert('at', payload as never, 60);
      expect(await redis().get(`${prefix}:{AccessToken:at}`)).toBe(JSON.stringify(payload));
      await expectTtl(`${prefix}:{AccessToken:at}`, 60_000);
      expect(await redis().smembers(`${prefix}:grant:g`)).toEqual([`${prefix}:{AccessToken:at}`]);
      await expectTtl(`${prefix}:grant:g`, 60_000);
    });

    it('keeps an index as long as its longest-lived member: raised by a longer one, never lowered', async () => {
      const { prefix, adapter } = setup();
      await adapter('AccessToken').upsert('short', { jti: 'short', grantId: 'g' } as never, 60);
      await adapter('RefreshToken').upsert('long', { jti: 'long', grantId: 'g' } as never, 3600);
      await expectTtl(`${prefix}:grant:g`, 3_600_000);
      await adapter('AccessToken').upsert('again', { jti: 'again', grantId: 'g' } as never, 60);
      await expectTtl(`${prefix}:grant:g`, 3_600_000);
      expect(new Set(await redis().smembers(`${prefix}:grant:g`))).toEqual(
        new Set([`${prefix}:{AccessToken:short}`, `${prefix}:{RefreshToken:long}`, `${prefix}:{AccessToken:again}`]),
      );
      // A member that never expires makes its index never expire.
      await adapter('RefreshToken').upsert('forever', { jti: 'forever', grantId: 'g' } as never, undefined);
      expect(await redis().pttl(`${prefix}:grant:g`)).toBe(-1);
      expect(await redis().pttl(`${prefix}:{RefreshToken:forever}`)).toBe(-1);
    });

    it('points a uid and a user code at the id, and lists a session and a grant under their account', async () => {
      const { prefix, adapter } = setup();
      await adapter('Session').upsert('s', { jti: 's', uid: 'u', accountId: 'a' } as never, 600);
      await adapter('Grant').upsert('g', { jti: 'g', accountId: 'a' } as never, 300);
      await adapter('DeviceCode').upsert('d', { jti: 'd', userCode: 'ABCD', grantId: 'g' } as never, 120);
      expect(await redis().get(`${prefix}:uid:Session:u`)).toBe('s');
      await expectTtl(`${prefix}:uid:Session:u`, 600_000);
      expect(await redis().get(`${prefix}:userCode:DeviceCode:ABCD`)).toBe('d');
      await expectTtl(`${prefix}:userCode:DeviceCode:ABCD`, 120_000);
      expect(new Set(await redis().smembers(`${prefix}:account:a`))).toEqual(
        new Set([`${prefix}:{Session:s}`, `${prefix}:{Grant:g}`]),
      );
      await expectTtl(`${prefix}:account:a`, 600_000);
      expect(await redis().smembers(`${prefix}:grant:g`)).toEqual([`${prefix}:{DeviceCode:d}`]);
      await expectTtl(`${prefix}:{DeviceCode:d}`, 120_000);
    });

    it('marks a consumed payload with its epoch seconds, for as long as the payload lives', async () => {
      const { prefix, adapter } = setup();
      await adapter('AuthorizationCode').upsert('c', { jti: 'c', grantId: 'g' } as never, 60);
      const before = Math.floor(Date.now() / 1000);
      await adapter('AuthorizationCode').consume('c');
      const marker = Number(await redis().get(`${prefix}:{AuthorizationCode:c}:consumed`));
      expect(marker).toBeGreaterThanOrEqual(before);
      expect(marker).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
      await expectTtl(`${prefix}:{AuthorizationCode:c}:consumed`, 60_000);
      // Consuming what is not there marks nothing.
      await adapter('AuthorizationCode').consume('missing');
      expect(await redis().exists(`${prefix}:{AuthorizationCode:missing}:consumed`)).toBe(0);
    });

    it('reads and revokes what the previous release wrote (a MULTI per index, then the payload)', async () => {
      const { prefix, adapter } = setup();
      const k = `${prefix}:{RefreshToken:old}`;
      await redis()
        .multi()
        .sadd(`${prefix}:grant:g`, k)
        .pexpire(`${prefix}:grant:g`, 60_000, 'NX')
        .pexpire(`${prefix}:grant:g`, 60_000, 'GT')
        .exec();
      await redis().set(k, JSON.stringify({ jti: 'old', grantId: 'g' }), 'PX', 60_000);
      await redis().set(`${k}:consumed`, '1700000000', 'PX', 60_000);
      expect(await adapter('RefreshToken').find('old')).toEqual({ jti: 'old', grantId: 'g', consumed: 1700000000 });
      await expect(adapter('RefreshToken').consume('old')).rejects.toMatchObject({ error: 'invalid_grant' });
      await adapter('RefreshToken').revokeByGrantId('g');
      // One key per EXISTS: on a Cluster they are in different slots.
      for (const gone of [k, `${k}:consumed`, `${prefix}:grant:g`]) expect(await redis().exists(gone)).toBe(0);
    });
  });
}

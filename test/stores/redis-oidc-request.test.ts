import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AdapterPayload } from 'oidc-provider';
import { randomToken } from '../../src/shared/ids.ts';
import { createRequestContext, type RequestScope } from '../../src/shared/request-context.ts';
import type { RedisClient } from '../../src/stores/redis/connection-options.ts';
import { createRedisOidcAdapter } from '../../src/stores/redis/oidc-adapter.ts';
import { startRedisWithClient } from '../support/redis.ts';

// What the Redis adapter does inside a request on one server: a token's grant read with the token, and token saves
// left for the answer to send (deferred-token-writes.ts). Outside a request it behaves as the adapter contract says.
let started: Awaited<ReturnType<typeof startRedisWithClient>>;
let redis: RedisClient;
const requests = createRequestContext();

beforeAll(async () => {
  started = await startRedisWithClient();
  redis = started.client;
});
afterAll(() => started.stop());

/** Calls of one Redis command so far, server-wide (this file's own server: nothing else talks to it). */
async function calls(command: string): Promise<number> {
  const match = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(await redis.info('commandstats'));
  return match ? Number(match[1]) : 0;
}

async function stored() {
  const prefix = `req-${randomToken(6)}`;
  const adapter = createRedisOidcAdapter(redis, prefix, { scope: () => requests.current() });
  const grant = { jti: 'g1', accountId: 'a1', clientId: 'c1', kind: 'Grant', openid: { scope: 'openid' } };
  await adapter('Grant').upsert('g1', grant as AdapterPayload, 600);
  await adapter('RefreshToken').upsert('rt1', { jti: 'rt1', grantId: 'g1', accountId: 'a1' } as AdapterPayload, 600);
  await adapter('RefreshToken').upsert('rt2', { jti: 'rt2', grantId: 'gone', accountId: 'a1' } as AdapterPayload, 600);
  return { prefix, adapter, grant };
}

const inRequest = <T>(work: (scope: RequestScope) => Promise<T>) => {
  const scope: RequestScope = { requestId: randomToken(6) };
  return requests.run(scope, () => work(scope));
};

describe('redis oidc adapter: a token and its grant in one round trip', () => {
  it('finds the grant read with its token without asking Redis again, once', async () => {
    const { adapter, grant } = await stored();
    await inRequest(async () => {
      expect(await adapter('RefreshToken').find('rt1')).toMatchObject({ jti: 'rt1', grantId: 'g1' });
      const before = await calls('mget');
      expect(await adapter('Grant').find('g1')).toMatchObject(grant);
      expect(await calls('mget')).toBe(before);
      // A second lookup of the same grant asks Redis.
      expect(await adapter('Grant').find('g1')).toMatchObject(grant);
      expect(await calls('mget')).toBe(before + 1);
    });
  });

  it('says a grant that was not there is not there, without asking again', async () => {
    const { adapter } = await stored();
    await inRequest(async () => {
      expect(await adapter('RefreshToken').find('rt2')).toMatchObject({ grantId: 'gone' });
      const before = await calls('mget');
      expect(await adapter('Grant').find('gone')).toBeUndefined();
      expect(await calls('mget')).toBe(before);
    });
  });

  it('reads a grant written, revoked or destroyed since its token was read afresh', async () => {
    const { prefix, adapter } = await stored();
    const token = { jti: 'rt1', grantId: 'g1', accountId: 'a1' } as AdapterPayload;
    await inRequest(async () => {
      await adapter('RefreshToken').find('rt1');
      await adapter('Grant').upsert(
        'g1',
        { jti: 'g1', accountId: 'a1', openid: { scope: 'openid email' } } as never,
        600,
      );
      expect(await adapter('Grant').find('g1')).toMatchObject({ openid: { scope: 'openid email' } });

      await adapter('RefreshToken').find('rt1');
      // Changed beside this adapter, then the grant's tokens revoked through it: the lookup reads Redis.
      await redis.set(`${prefix}:{Grant:g1}`, JSON.stringify({ jti: 'g1', accountId: 'a1', marker: 'beside' }));
      await adapter('RefreshToken').revokeByGrantId('g1');
      expect(await adapter('Grant').find('g1')).toMatchObject({ marker: 'beside' });

      await adapter('RefreshToken').upsert('rt1', token, 600);
      await adapter('RefreshToken').find('rt1');
      await adapter('Grant').destroy('g1');
      expect(await adapter('Grant').find('g1')).toBeUndefined();
    });
  });

  it('keeps what one request read to that request', async () => {
    const { prefix, adapter } = await stored();
    await inRequest(() => adapter('RefreshToken').find('rt1'));
    // Revoked on another node after the first request read it with its token: the next request reads Redis.
    await redis.del(`${prefix}:{Grant:g1}`);
    expect(await inRequest(() => adapter('Grant').find('g1'))).toBeUndefined();
  });

  it('says a consumed token is consumed, and its grant too when that was consumed', async () => {
    const { adapter } = await stored();
    await adapter('RefreshToken').consume('rt1');
    await inRequest(async () => {
      expect((await adapter('RefreshToken').find('rt1'))?.consumed).toEqual(expect.any(Number));
      expect(await adapter('Grant').find('g1')).toMatchObject({ jti: 'g1' });
    });
  });
});

describe('redis oidc adapter: token saves left for the answer', () => {
  it('sends the saves when the answer does, in one pipeline, with their indexes', async () => {
    const { prefix, adapter } = await stored();
    await inRequest(async (scope) => {
      scope.pendingWrites = [];
      await adapter('RefreshToken').upsert('rt3', { jti: 'rt3', grantId: 'g1' } as AdapterPayload, 600);
      await adapter('AccessToken').upsert('at3', { jti: 'at3', grantId: 'g1' } as AdapterPayload, 60);
      // A grant is not a token the answer carries: written where it is saved.
      await adapter('Grant').upsert('g2', { jti: 'g2', accountId: 'a1' } as AdapterPayload, 600);
      expect(await redis.exists(`${prefix}:{Grant:g2}`)).toBe(1);
      expect(await redis.exists(`${prefix}:{RefreshToken:rt3}`, `${prefix}:{AccessToken:at3}`)).toBe(0);
      // Both saves share one send.
      expect(scope.pendingWrites).toHaveLength(1);
      await Promise.all(scope.pendingWrites.map((send) => send()));
    });
    expect(await adapter('RefreshToken').find('rt3')).toMatchObject({ jti: 'rt3' });
    expect(await adapter('AccessToken').find('at3')).toMatchObject({ jti: 'at3' });
    expect(await redis.pttl(`${prefix}:{AccessToken:at3}`)).toBeGreaterThan(50_000);
    expect((await redis.smembers(`${prefix}:grant:g1`)).sort()).toEqual(
      [`${prefix}:{AccessToken:at3}`, `${prefix}:{RefreshToken:rt1}`, `${prefix}:{RefreshToken:rt3}`].sort(),
    );
    // Revoking the grant removes them, as it removes tokens saved at once.
    await adapter('Grant').revokeByGrantId('g1');
    expect(await adapter('AccessToken').find('at3')).toBeUndefined();
  });

  it('fails the send when a save fails, so the answer can refuse to hand the token out', async () => {
    const { prefix, adapter } = await stored();
    // The grant's index damaged (a string where a set belongs): the save's script fails at its SADD.
    await redis.set(`${prefix}:grant:g9`, 'not a set');
    await inRequest(async (scope) => {
      scope.pendingWrites = [];
      await adapter('AccessToken').upsert('at9', { jti: 'at9', grantId: 'g9' } as AdapterPayload, 60);
      await expect(scope.pendingWrites[0]!()).rejects.toThrow(/WRONGTYPE/);
    });
  });

  it('writes at once outside a request, and inside one that does not wait for its writes', async () => {
    const { prefix, adapter } = await stored();
    await adapter('AccessToken').upsert('at4', { jti: 'at4', grantId: 'g1' } as AdapterPayload, 60);
    await inRequest(() => adapter('AccessToken').upsert('at5', { jti: 'at5', grantId: 'g1' } as AdapterPayload, 60));
    expect(await redis.exists(`${prefix}:{AccessToken:at4}`, `${prefix}:{AccessToken:at5}`)).toBe(2);
  });
});

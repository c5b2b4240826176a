import { describe, expect, it } from '@jest/globals';
import type { BrokerAdapter } from '../../src/stores/oidc-models.ts';

/**
 * The contract every oidc-provider adapter of the broker must keep. Each backend's test file calls this with a
 * factory and a way to move time (memory: a manual clock; real servers: short TTLs).
 */
export function oidcAdapterContract(
  name: string,
  setup: () => Promise<{
    adapter: BrokerAdapter;
    expire(seconds: number): Promise<void>;
  }>,
) {
  describe(`${name} oidc-provider adapter`, () => {
    it('upserts and finds a payload by id, per model', async () => {
      const { adapter } = await setup();
      await adapter('Session').upsert('s1', { jti: 's1', uid: 'u1', accountId: 'a' } as never, 60);
      expect(await adapter('Session').find('s1')).toMatchObject({ jti: 's1', accountId: 'a' });
      expect(await adapter('Grant').find('s1')).toBeUndefined();
    });

    it('finds by uid and by user code', async () => {
      const { adapter } = await setup();
      await adapter('Session').upsert('s2', { jti: 's2', uid: 'uid-2' } as never, 60);
      await adapter('DeviceCode').upsert('d1', { jti: 'd1', userCode: 'ABCD-EFGH' } as never, 60);
      expect(await adapter('Session').findByUid('uid-2')).toMatchObject({ jti: 's2' });
      expect(await adapter('DeviceCode').findByUserCode('ABCD-EFGH')).toMatchObject({ jti: 'd1' });
      expect(await adapter('Session').findByUid('nope')).toBeUndefined();
      // A session ended is not found by its uid any more; another model's uid is not this one's.
      await adapter('Session').destroy('s2');
      expect(await adapter('Session').findByUid('uid-2')).toBeUndefined();
      await adapter('Interaction').upsert('i2', { jti: 'i2', uid: 'uid-3' } as never, 60);
      expect(await adapter('Session').findByUid('uid-3')).toBeUndefined();
    });

    it('finds a session saved again by its uid, and revokes a token saved again under its grant', async () => {
      const { adapter } = await setup();
      // oidc-provider saves a session on every change and a refresh token again when it is consumed: the lookups
      // must follow the latest save.
      await adapter('RefreshToken').upsert('rt1', { jti: 'rt1', grantId: 'g9' } as never, 60);
      await adapter('RefreshToken').upsert('rt1', { jti: 'rt1', grantId: 'g9', consumed: 1 } as never, 60);
      await adapter('Session').upsert('s9', { jti: 's9', uid: 'uid-9' } as never, 60);
      await adapter('Session').upsert('s9', { jti: 's9', uid: 'uid-9', accountId: 'p9' } as never, 60);
      expect(await adapter('Session').findByUid('uid-9')).toMatchObject({ accountId: 'p9' });
      await adapter('RefreshToken').revokeByGrantId('g9');
      expect(await adapter('RefreshToken').find('rt1')).toBeUndefined();
    });

    it('marks a payload consumed, and destroys it', async () => {
      const { adapter } = await setup();
      const codes = adapter('AuthorizationCode');
      await codes.upsert('c1', { jti: 'c1', grantId: 'g' } as never, 60);
      await codes.consume('c1');
      expect((await codes.find('c1'))?.consumed).toEqual(expect.any(Number));
      // Consuming again is refused in the same step, so parallel redemptions cannot both pass.
      await expect(codes.consume('c1')).rejects.toMatchObject({ error: 'invalid_grant' });
      await codes.destroy('c1');
      expect(await codes.find('c1')).toBeUndefined();
    });

    it('revokes every grant-bound token of a grant and nothing else', async () => {
      const { adapter } = await setup();
      await adapter('AccessToken').upsert('at', { jti: 'at', grantId: 'g1' } as never, 60);
      await adapter('RefreshToken').upsert('rt', { jti: 'rt', grantId: 'g1' } as never, 60);
      await adapter('AccessToken').upsert('other', { jti: 'other', grantId: 'g2' } as never, 60);
      await adapter('Interaction').upsert('i', { jti: 'i', grantId: 'g1' } as never, 60);
      await adapter('AccessToken').revokeByGrantId('g1');
      expect(await adapter('AccessToken').find('at')).toBeUndefined();
      expect(await adapter('RefreshToken').find('rt')).toBeUndefined();
      expect(await adapter('AccessToken').find('other')).toBeDefined();
      expect(await adapter('Interaction').find('i')).toBeDefined();
    });

    it("revokes an account: its sessions, its grants and their tokens, and nobody else's", async () => {
      const { adapter } = await setup();
      await adapter('Session').upsert('mine', { jti: 'mine', accountId: 'p1' } as never, 60);
      await adapter('Session').upsert('theirs', { jti: 'theirs', accountId: 'p2' } as never, 60);
      await adapter('Grant').upsert('g-mine', { jti: 'g-mine', accountId: 'p1' } as never, 60);
      await adapter('RefreshToken').upsert(
        'rt-mine',
        { jti: 'rt-mine', grantId: 'g-mine', accountId: 'p1' } as never,
        60,
      );
      await adapter('RefreshToken').upsert(
        'rt-theirs',
        { jti: 'rt-theirs', grantId: 'g-theirs', accountId: 'p2' } as never,
        60,
      );
      await adapter.revokeAccount('p1');
      expect(await adapter('Session').find('mine')).toBeUndefined();
      expect(await adapter('Grant').find('g-mine')).toBeUndefined();
      expect(await adapter('RefreshToken').find('rt-mine')).toBeUndefined();
      expect(await adapter('Session').find('theirs')).toBeDefined();
      expect(await adapter('RefreshToken').find('rt-theirs')).toBeDefined();
    });

    it("lists a profile's live sessions, oldest login first, and none of another's", async () => {
      const { adapter } = await setup();
      const sessions = adapter('Session');
      await sessions.upsert('later', { jti: 'later', uid: 'u-later', accountId: 'p7', loginTs: 200 } as never, 60);
      await sessions.upsert(
        'earlier',
        { jti: 'earlier', uid: 'u-earlier', accountId: 'p7', loginTs: 100 } as never,
        60,
      );
      await sessions.upsert('other', { jti: 'other', uid: 'u-other', accountId: 'p8', loginTs: 150 } as never, 60);
      await adapter('Grant').upsert('g7', { jti: 'g7', accountId: 'p7' } as never, 60);
      // A session that changed account (a principal change) no longer counts for the first.
      await sessions.upsert('moved', { jti: 'moved', uid: 'u-moved', accountId: 'p7', loginTs: 50 } as never, 60);
      await sessions.upsert('moved', { jti: 'moved', uid: 'u-moved', accountId: 'p8', loginTs: 300 } as never, 60);
      await sessions.destroy('earlier');
      await sessions.upsert('third', { jti: 'third', uid: 'u-third', accountId: 'p7', loginTs: 150 } as never, 60);
      expect((await adapter.sessionsOf('p7')).map((s) => s.jti)).toEqual(['third', 'later']);
      expect((await adapter.sessionsOf('p8')).map((s) => s.jti)).toEqual(['other', 'moved']);
      expect(await adapter.sessionsOf('nobody')).toEqual([]);
      await adapter.revokeAccount('p7');
      expect(await adapter.sessionsOf('p7')).toEqual([]);
    });

    it('lets exactly one of twenty parallel consumes succeed', async () => {
      const { adapter } = await setup();
      const codes = adapter('AuthorizationCode');
      await codes.upsert('race', { jti: 'race', grantId: 'g' } as never, 60);
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => codes.consume('race')));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });

    it('forgets a payload once it expires', async () => {
      const { adapter, expire } = await setup();
      await adapter('Interaction').upsert('short', { jti: 'short' } as never, 1);
      await adapter('Interaction').upsert('long', { jti: 'long' } as never, 3600);
      await expire(2);
      expect(await adapter('Interaction').find('short')).toBeUndefined();
      expect(await adapter('Interaction').find('long')).toBeDefined();
    });

    it('returns copies: changing a found payload does not change what is stored', async () => {
      const { adapter } = await setup();
      await adapter('Grant').upsert('g', { jti: 'g', accountId: 'a' } as never, 60);
      const found = await adapter('Grant').find('g');
      (found as Record<string, unknown>).accountId = 'changed';
      expect(await adapter('Grant').find('g')).toMatchObject({ accountId: 'a' });
    });
  });
}

import { describe, expect, it } from '@jest/globals';
import { hashEmailChangeToken, newEmailChange, type EmailChange } from '../../src/account/email-change.ts';
import type { EmailChangeStore } from '../../src/account/email-change-store.ts';

function change(profileId: string, overrides: { createdAt?: Date; ttlSeconds?: number } = {}): EmailChange {
  return newEmailChange({
    profileId,
    organisationId: 'org',
    oldEmail: `${profileId}@old.example`,
    newEmail: `${profileId}@new.example`,
    requester: { upstreamId: 'up', subject: 's' },
    createdAt: overrides.createdAt ?? new Date(),
    ttlSeconds: overrides.ttlSeconds ?? 3600,
  }).change;
}

/** The email-change store's contract; every backend runs it. */
export function emailChangeStoreContract(name: string, setup: () => Promise<EmailChangeStore>) {
  describe(`${name} email-change store`, () => {
    it('finds a change by the hash of its token, dates and requester intact', async () => {
      const store = await setup();
      const c = change('p');
      await store.issue(c);
      expect(await store.findByTokenHash(c.tokenHash)).toEqual(c);
      expect(await store.findByTokenHash(hashEmailChangeToken('unknown'))).toBeUndefined();
    });

    it("supersedes the profile's pending change when a new one is issued, and only that profile's", async () => {
      const store = await setup();
      const older = change('p');
      const other = change('q');
      await store.issue(older);
      await store.issue(other);
      const newer = change('p');
      await store.issue(newer);
      expect((await store.findByTokenHash(older.tokenHash))!.status).toBe('superseded');
      expect((await store.findByTokenHash(newer.tokenHash))!.status).toBe('pending');
      expect((await store.findByTokenHash(other.tokenHash))!.status).toBe('pending');
      expect(await store.consume(older.tokenHash, new Date())).toBeUndefined();
    });

    it('consumes a pending change exactly once across twenty parallel consumes', async () => {
      const store = await setup();
      const c = change('p');
      await store.issue(c);
      const consumed = await Promise.all(Array.from({ length: 20 }, () => store.consume(c.tokenHash, new Date())));
      const winners = consumed.filter(Boolean);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toEqual({ ...c, status: 'confirmed' });
      expect((await store.findByTokenHash(c.tokenHash))!.status).toBe('confirmed');
      expect(await store.consume(c.tokenHash, new Date())).toBeUndefined();
    });

    it('refuses to consume an expired or unknown change, and keeps an expired one on record', async () => {
      const store = await setup();
      const c = change('e', { ttlSeconds: 60 });
      await store.issue(c);
      expect(await store.consume(c.tokenHash, new Date(c.expiresAt.getTime()))).toBeUndefined();
      expect((await store.findByTokenHash(c.tokenHash))!.status).toBe('pending');
      expect(await store.consume(hashEmailChangeToken('unknown'), new Date())).toBeUndefined();
      // Still usable just before its expiry.
      expect(await store.consume(c.tokenHash, new Date(c.expiresAt.getTime() - 1))).toMatchObject({ id: c.id });
    });

    it("revokes the profile's pending change only: a confirmed one stays confirmed, another profile's stays pending", async () => {
      const store = await setup();
      const confirmed = change('r');
      await store.issue(confirmed);
      await store.consume(confirmed.tokenHash, new Date());
      const pending = change('r');
      const other = change('s');
      await store.issue(pending);
      await store.issue(other);
      await store.revokeForProfile('r');
      await store.revokeForProfile('nobody');
      expect((await store.findByTokenHash(pending.tokenHash))!.status).toBe('revoked');
      expect((await store.findByTokenHash(confirmed.tokenHash))!.status).toBe('confirmed');
      expect((await store.findByTokenHash(other.tokenHash))!.status).toBe('pending');
      expect(await store.consume(pending.tokenHash, new Date())).toBeUndefined();
    });
  });
}

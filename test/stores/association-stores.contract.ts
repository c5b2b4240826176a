import { describe, expect, it } from '@jest/globals';
import { hashLinkToken, newLinkToken, type AssociationLink } from '../../src/association/link.ts';
import type { LinkStore } from '../../src/association/link-store.ts';
import type { RateLimiter } from '../../src/association/rate-limiter.ts';
import type { UpstreamTransactionStore } from '../../src/federation/transaction-store.ts';

function link(profileId: string, overrides: Partial<AssociationLink> = {}): AssociationLink {
  const { token } = newLinkToken();
  return {
    id: token.slice(0, 8),
    tokenHash: hashLinkToken(token),
    profileId,
    requester: { upstreamId: 'up', subject: 's' },
    clientId: 'c',
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + 3600_000),
    status: 'active',
    ...overrides,
  };
}

/** The link store's contract; every backend runs it. */
export function linkStoreContract(name: string, setup: () => Promise<LinkStore>) {
  describe(`${name} link store`, () => {
    it('finds a link by the hash of its token, dates and requester intact', async () => {
      const store = await setup();
      const l = link('p');
      await store.issue(l);
      expect(await store.findByTokenHash(l.tokenHash)).toEqual(l);
      expect(await store.findByTokenHash(hashLinkToken('unknown'))).toBeUndefined();
    });

    it("lists a profile's links newest first, with how far each email got", async () => {
      const store = await setup();
      const older = link('p', { createdAt: new Date(Date.now() - 60_000) });
      const newer = link('p');
      await store.issue(older);
      await store.issue(newer);
      await store.issue(link('q'));
      await store.recordDelivery('p', older.id, 'sent');
      await store.recordDelivery('p', newer.id, 'failed');
      await store.recordDelivery('p', 'unknown-link', 'sent');
      const listed = await store.listForProfile('p');
      expect(listed.map((l) => [l.id, l.status, l.delivery])).toEqual([
        [newer.id, 'active', 'failed'],
        [older.id, 'superseded', 'sent'],
      ]);
      expect(listed[0]).toMatchObject({
        tokenHash: newer.tokenHash,
        clientId: 'c',
        requester: { upstreamId: 'up', subject: 's' },
      });
      expect((await store.listForProfile('q'))[0]!.delivery).toBe('queued');
      expect(await store.listForProfile('nobody')).toEqual([]);
    });

    it("supersedes the profile's active links when a new one is issued, and only that profile's", async () => {
      const store = await setup();
      const older = link('p');
      const other = link('q');
      await store.issue(older);
      await store.issue(other);
      await store.issue(link('p'));
      expect((await store.findByTokenHash(older.tokenHash))!.status).toBe('superseded');
      expect((await store.findByTokenHash(other.tokenHash))!.status).toBe('active');
    });

    it("supersedes only links of the same requester: another account's link, or an invitation, stays usable", async () => {
      const store = await setup();
      const owners = link('p', { requester: { upstreamId: 'up', subject: 'owner' } });
      const invitation = link('p', { requester: undefined });
      await store.issue(owners);
      await store.issue(invitation);
      await store.issue(link('p', { requester: { upstreamId: 'up', subject: 'stranger' } }));
      expect((await store.findByTokenHash(owners.tokenHash))!.status).toBe('active');
      expect((await store.findByTokenHash(invitation.tokenHash))!.status).toBe('active');
      // A held-back link (nobody's either) is of another kind: it leaves the invitation alone, and is replaced by the next.
      const heldBack = link('p', { requester: undefined, kind: 'held_back' });
      await store.issue(heldBack);
      expect((await store.findByTokenHash(invitation.tokenHash))!.status).toBe('active');
      expect((await store.findByTokenHash(heldBack.tokenHash))!.kind).toBe('held_back');
      await store.issue(link('p', { requester: undefined, kind: 'held_back' }));
      expect((await store.findByTokenHash(heldBack.tokenHash))!.status).toBe('superseded');
      await store.issue(link('p', { requester: undefined }));
      expect((await store.findByTokenHash(invitation.tokenHash))!.status).toBe('superseded');
      await store.issue(link('p', { requester: { upstreamId: 'up', subject: 'owner' } }));
      expect((await store.findByTokenHash(owners.tokenHash))!.status).toBe('superseded');
    });

    it('completes a claimed link exactly once across twenty parallel completions (claims are re-entrant)', async () => {
      const store = await setup();
      const l = link('p');
      await store.issue(l);
      const claims = await Promise.all(Array.from({ length: 20 }, () => store.claim(l.tokenHash, new Date(), 'up|s')));
      expect(claims.every((c) => c?.status === 'redeeming')).toBe(true);
      const completions = await Promise.all(Array.from({ length: 20 }, () => store.complete(l.tokenHash, new Date())));
      expect(completions.filter(Boolean)).toHaveLength(1);
      expect((await store.findByTokenHash(l.tokenHash))!.status).toBe('used');
      expect(await store.claim(l.tokenHash, new Date(), 'up|s')).toBeUndefined();
    });

    it('lets only the claimant continue a claimed link, and an unlink revokes a link caught part-way', async () => {
      const store = await setup();
      const l = link('p');
      await store.issue(l);
      const [first, second] = await Promise.all([
        store.claim(l.tokenHash, new Date(), 'up|alice'),
        store.claim(l.tokenHash, new Date(), 'up|mallory'),
      ]);
      expect([first, second].filter(Boolean)).toHaveLength(1);
      const holder = first ? 'up|alice' : 'up|mallory';
      expect(await store.claim(l.tokenHash, new Date(), holder)).toMatchObject({ status: 'redeeming' });
      expect(
        await store.claim(l.tokenHash, new Date(), holder === 'up|alice' ? 'up|mallory' : 'up|alice'),
      ).toBeUndefined();
      await store.revokeForProfile('p');
      expect((await store.findByTokenHash(l.tokenHash))!.status).toBe('revoked');
      expect(await store.claim(l.tokenHash, new Date(), holder)).toBeUndefined();
    });

    it('refuses to claim an expired, superseded or revoked link', async () => {
      const store = await setup();
      const expired = link('e', { expiresAt: new Date(Date.now() + 1000) });
      await store.issue(expired);
      expect(await store.claim(expired.tokenHash, new Date(Date.now() + 2000), 'up|s')).toBeUndefined();
      const superseded = link('s');
      await store.issue(superseded);
      await store.issue(link('s'));
      expect(await store.claim(superseded.tokenHash, new Date(), 'up|s')).toBeUndefined();
      const revoked = link('r');
      await store.issue(revoked);
      await store.revokeForProfile('r');
      expect((await store.findByTokenHash(revoked.tokenHash))!.status).toBe('revoked');
      expect(await store.claim(revoked.tokenHash, new Date(), 'up|s')).toBeUndefined();
    });

    it("revokes a profile's open links except the one named", async () => {
      const store = await setup();
      const kept = link('k');
      await store.issue(kept);
      const claimed = await store.claim(kept.tokenHash, new Date(), 'up|s');
      expect(claimed).toBeDefined();
      const later = link('k', { id: 'later' });
      await store.issue(later);
      await store.revokeForProfile('k', kept.tokenHash);
      expect((await store.findByTokenHash(later.tokenHash))!.status).toBe('revoked');
      expect((await store.findByTokenHash(kept.tokenHash))!.status).toBe('redeeming');
    });
  });
}

/** The rate limiter's contract. `setup(points)` gives a fresh limiter with a one-hour window. */
export function rateLimiterContract(name: string, setup: (points: number) => Promise<RateLimiter>) {
  describe(`${name} rate limiter`, () => {
    it("allows the window's points per key, then refuses with a wait", async () => {
      const limiter = await setup(2);
      expect((await limiter.consume('a')).allowed).toBe(true);
      expect((await limiter.consume('a')).allowed).toBe(true);
      const third = await limiter.consume('a');
      expect(third.allowed).toBe(false);
      expect(third.retryAfterSeconds).toBeGreaterThan(3500);
      // Refused attempts count too: how many requests the window saw.
      expect(third.used).toBe(3);
      expect((await limiter.consume('b')).allowed).toBe(true);
    });
  });
}

/** The upstream transaction store's contract. */
export function transactionStoreContract(
  name: string,
  setup: () => Promise<UpstreamTransactionStore<{ tokenHash: string }>>,
) {
  describe(`${name} upstream transaction store`, () => {
    it('gives a transaction back once', async () => {
      const store = await setup();
      const value = {
        transaction: { upstreamId: 'u', state: 's', nonce: 'n', codeVerifier: 'v', remember: false, expiresAt: 1 },
        extra: { tokenHash: 'h' },
      };
      await store.put('k', value, 60);
      const taken = await Promise.all([store.take('k'), store.take('k')]);
      expect(taken.filter(Boolean)).toEqual([value]);
      expect(await store.take('unknown')).toBeUndefined();
    });
  });
}

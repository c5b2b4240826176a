import { describe, expect, it } from '@jest/globals';
import type { AssociationStore } from '../../src/directory/association-store.ts';
import type { DirectoryStore } from '../../src/directory/directory-store.ts';
import type { DirectorySeed } from '../../src/directory/seed.ts';

export const CONTRACT_SEED: DirectorySeed = {
  organisations: [
    { id: 'o1', accountNumber: 'C-1', name: 'One', kind: 'customer', status: 'active', contractEndsOn: '2099-12-31' },
    { id: 'o2', accountNumber: 'P-2', name: 'Two', kind: 'partner', status: 'disabled' },
  ],
  profiles: [
    { id: 'p1', organisationId: 'o1', email: 'shared@example.com', displayName: 'P One', role: 'administrator', status: 'active' },
    { id: 'p2', organisationId: 'o2', email: 'shared@example.com', displayName: 'P Two', role: 'professional', status: 'active' },
    { id: 'p3', organisationId: 'o1', email: 'solo@example.com', displayName: 'P Three', role: 'professional', status: 'disabled' },
  ],
  associations: [{ profileId: 'p3', upstreamId: 'up', subject: 'seeded' }],
};

const A = { upstreamId: 'up', subject: 'alice' };
const B = { upstreamId: 'up', subject: 'bob' };

/** The contract of the directory and association stores; each backend's test calls it with a seeded store. */
export function directoryContract(name: string, setup: () => Promise<DirectoryStore & AssociationStore>) {
  describe(`${name} directory and association stores`, () => {
    it('reads organisations and profiles as written', async () => {
      const store = await setup();
      expect(await store.getOrganisation('o1')).toEqual({ id: 'o1', accountNumber: 'C-1', name: 'One', kind: 'customer', status: 'active', contractEndsOn: '2099-12-31' });
      expect(await store.getOrganisation('o2')).toEqual({ id: 'o2', accountNumber: 'P-2', name: 'Two', kind: 'partner', status: 'disabled' });
      expect(await store.getProfile('p1')).toEqual({ id: 'p1', organisationId: 'o1', email: 'shared@example.com', displayName: 'P One', role: 'administrator', status: 'active' });
      expect(await store.getProfile('nope')).toBeUndefined();
      expect(await store.getOrganisation('nope')).toBeUndefined();
    });

    it('finds every profile registered with an address', async () => {
      const store = await setup();
      expect((await store.findProfilesByEmail('shared@example.com')).map((p) => p.id).sort()).toEqual(['p1', 'p2']);
      expect(await store.findProfilesByEmail('nobody@example.com')).toEqual([]);
    });

    it('associates a profile, idempotently, keeping the first time', async () => {
      const store = await setup();
      expect(await store.associate({ profileId: 'p1', ...A, associatedAt: new Date('2026-01-01T00:00:00Z') })).toEqual({});
      expect(await store.associate({ profileId: 'p1', ...A, associatedAt: new Date('2026-02-01T00:00:00Z') })).toEqual({});
      expect(await store.findByProfile('p1')).toEqual({ profileId: 'p1', ...A, associatedAt: new Date('2026-01-01T00:00:00Z') });
      expect((await store.findByIdentity(A)).map((a) => a.profileId)).toEqual(['p1']);
    });

    it('re-associates a profile to another identity and says whom it replaced', async () => {
      const store = await setup();
      const { replaced } = await store.associate({ profileId: 'p3', ...B, associatedAt: new Date('2026-03-01T00:00:00Z') });
      expect(replaced).toMatchObject({ profileId: 'p3', upstreamId: 'up', subject: 'seeded' });
      expect(await store.findByProfile('p3')).toMatchObject(B);
      expect(await store.findByIdentity({ upstreamId: 'up', subject: 'seeded' })).toEqual([]);
    });

    it('keeps one association per profile when twenty writes race', async () => {
      const store = await setup();
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.associate({ profileId: 'p2', upstreamId: 'up', subject: `racer-${i % 2}`, associatedAt: new Date() })));
      const holders = [...(await store.findByIdentity({ upstreamId: 'up', subject: 'racer-0' })), ...(await store.findByIdentity({ upstreamId: 'up', subject: 'racer-1' }))];
      expect(holders).toHaveLength(1);
      expect(holders[0]!.profileId).toBe('p2');
    });
  });
}

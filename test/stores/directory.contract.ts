import { describe, expect, it } from '@jest/globals';
import type { AssociationStore } from '../../src/directory/association-store.ts';
import type { DirectoryStore } from '../../src/directory/directory-store.ts';
import { DirectoryConflict, type DirectoryAdminStore } from '../../src/directory/directory-admin-store.ts';
import type { Organisation, Profile } from '../../src/directory/model.ts';
import type { DirectorySeed } from '../../src/directory/seed.ts';

export const CONTRACT_SEED: DirectorySeed = {
  organisations: [
    { id: 'o1', accountNumber: 'C-1', name: 'One', kind: 'customer', status: 'active', contractEndsOn: '2099-12-31' },
    { id: 'o2', accountNumber: 'P-2', name: 'Two', kind: 'partner', status: 'disabled' },
  ],
  profiles: [
    {
      id: 'p1',
      organisationId: 'o1',
      email: 'shared@example.com',
      displayName: 'P One',
      role: 'administrator',
      status: 'active',
    },
    {
      id: 'p2',
      organisationId: 'o2',
      email: 'shared@example.com',
      displayName: 'P Two',
      role: 'professional',
      status: 'active',
    },
    {
      id: 'p3',
      organisationId: 'o1',
      email: 'solo@example.com',
      displayName: 'P Three',
      role: 'professional',
      status: 'disabled',
    },
  ],
  associations: [{ profileId: 'p3', upstreamId: 'up', subject: 'seeded' }],
};

const A = { upstreamId: 'up', subject: 'alice' };
const B = { upstreamId: 'up', subject: 'bob' };

/** The contract of the directory and association stores; each backend's test calls it with a seeded store. */
export function directoryContract(
  name: string,
  setup: () => Promise<DirectoryStore & AssociationStore & DirectoryAdminStore>,
) {
  describe(`${name} directory and association stores`, () => {
    it('reads organisations and profiles as written', async () => {
      const store = await setup();
      expect(await store.getOrganisation('o1')).toEqual({
        id: 'o1',
        accountNumber: 'C-1',
        name: 'One',
        kind: 'customer',
        status: 'active',
        contractEndsOn: '2099-12-31',
      });
      expect(await store.getOrganisation('o2')).toEqual({
        id: 'o2',
        accountNumber: 'P-2',
        name: 'Two',
        kind: 'partner',
        status: 'disabled',
      });
      expect(await store.getProfile('p1')).toEqual({
        id: 'p1',
        organisationId: 'o1',
        email: 'shared@example.com',
        displayName: 'P One',
        role: 'administrator',
        status: 'active',
      });
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
      expect(await store.associate({ profileId: 'p1', ...A, associatedAt: new Date('2026-01-01T00:00:00Z') })).toEqual(
        {},
      );
      expect(await store.associate({ profileId: 'p1', ...A, associatedAt: new Date('2026-02-01T00:00:00Z') })).toEqual(
        {},
      );
      expect(await store.findByProfile('p1')).toEqual({
        profileId: 'p1',
        ...A,
        associatedAt: new Date('2026-01-01T00:00:00Z'),
      });
      expect((await store.findByIdentity(A)).map((a) => a.profileId)).toEqual(['p1']);
    });

    it('re-associates a profile to another identity and says whom it replaced', async () => {
      const store = await setup();
      const { replaced } = await store.associate({
        profileId: 'p3',
        ...B,
        associatedAt: new Date('2026-03-01T00:00:00Z'),
      });
      expect(replaced).toMatchObject({ profileId: 'p3', upstreamId: 'up', subject: 'seeded' });
      expect(await store.findByProfile('p3')).toMatchObject(B);
      expect(await store.findByIdentity({ upstreamId: 'up', subject: 'seeded' })).toEqual([]);
    });

    it('keeps one association per profile when twenty writes race', async () => {
      const store = await setup();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.associate({ profileId: 'p2', upstreamId: 'up', subject: `racer-${i % 2}`, associatedAt: new Date() }),
        ),
      );
      const holders = [
        ...(await store.findByIdentity({ upstreamId: 'up', subject: 'racer-0' })),
        ...(await store.findByIdentity({ upstreamId: 'up', subject: 'racer-1' })),
      ];
      expect(holders).toHaveLength(1);
      expect(holders[0]!.profileId).toBe('p2');
    });

    it('keeps how an association was made, and forgets it on unlink', async () => {
      const store = await setup();
      await store.associate({
        profileId: 'p1',
        ...A,
        associatedAt: new Date('2026-01-01T00:00:00Z'),
        linkId: 'L1',
        reference: 'REF-1',
      });
      expect(await store.findByProfile('p1')).toEqual({
        profileId: 'p1',
        ...A,
        associatedAt: new Date('2026-01-01T00:00:00Z'),
        linkId: 'L1',
        reference: 'REF-1',
      });
      expect(await store.dissociate('p1')).toMatchObject({ profileId: 'p1', ...A, linkId: 'L1' });
      expect(await store.findByProfile('p1')).toBeUndefined();
      expect(await store.findByIdentity(A)).toEqual([]);
      expect(await store.dissociate('p1')).toBeUndefined();
    });

    it("keeps an association's pending notice with it until it is queued (the outbox), oldest first", async () => {
      const store = await setup();
      await store.associate({
        profileId: 'p2',
        ...B,
        associatedAt: new Date('2026-01-02T00:00:00Z'),
        linkId: 'L2',
        reference: 'REF-2',
        noticePending: true,
      });
      await store.associate({
        profileId: 'p1',
        ...A,
        associatedAt: new Date('2026-01-01T00:00:00Z'),
        linkId: 'L1',
        reference: 'REF-1',
        noticePending: true,
      });
      await store.associate({
        profileId: 'p3',
        ...A,
        associatedAt: new Date('2026-01-01T00:00:00Z'),
        linkId: 'L3',
        reference: 'REF-3',
      });
      expect(
        (await store.pendingNotices(new Date('2026-01-03T00:00:00Z'), 10)).map((a) => [a.reference, a.noticePending]),
      ).toEqual([
        ['REF-1', true],
        ['REF-2', true],
      ]);
      expect((await store.pendingNotices(new Date('2026-01-01T12:00:00Z'), 10)).map((a) => a.reference)).toEqual([
        'REF-1',
      ]);
      expect((await store.pendingNotices(new Date('2026-01-03T00:00:00Z'), 1)).map((a) => a.reference)).toEqual([
        'REF-1',
      ]);
      // Only the association it was owed for: a notice for an association since replaced is not cleared by mistake.
      await store.noticeQueued('p1', 'REF-OTHER');
      await store.noticeQueued('p2', 'REF-2');
      expect((await store.pendingNotices(new Date('2026-01-03T00:00:00Z'), 10)).map((a) => a.reference)).toEqual([
        'REF-1',
      ]);
      expect((await store.findByProfile('p2'))!.noticePending).toBeUndefined();
      // Re-associated without a notice owed (say, from a seed): nothing is pending any more.
      await store.associate({ profileId: 'p1', ...B, associatedAt: new Date('2026-01-04T00:00:00Z') });
      expect(await store.pendingNotices(new Date('2026-01-05T00:00:00Z'), 10)).toEqual([]);
    });
  });

  describe(`${name} directory administration`, () => {
    const org = (id: string, over: Partial<Organisation> = {}): Organisation => ({
      id,
      accountNumber: `A-${id}`,
      name: `Org ${id}`,
      kind: 'customer',
      status: 'active',
      ...over,
    });
    const profile = (id: string, organisationId: string, over: Partial<Profile> = {}): Profile => ({
      id,
      organisationId,
      email: `${id}@example.com`,
      displayName: `Person ${id}`,
      role: 'professional',
      status: 'active',
      ...over,
    });
    const conflictOf = (promise: Promise<unknown>) =>
      promise.then(
        () => 'none',
        (err: unknown) => (err instanceof DirectoryConflict ? err.kind : String(err)),
      );

    it('lists organisations and profiles with filters, in id order, a page at a time', async () => {
      const store = await setup();
      expect((await store.listOrganisations({}, { limit: 10 })).map((o) => o.id)).toEqual(['o1', 'o2']);
      expect((await store.listOrganisations({}, { limit: 1 })).map((o) => o.id)).toEqual(['o1']);
      expect((await store.listOrganisations({}, { limit: 1, after: 'o1' })).map((o) => o.id)).toEqual(['o2']);
      expect((await store.listOrganisations({ kind: 'partner' }, { limit: 10 })).map((o) => o.id)).toEqual(['o2']);
      expect((await store.listOrganisations({ status: 'active' }, { limit: 10 })).map((o) => o.id)).toEqual(['o1']);
      expect((await store.listOrganisations({ q: 'tw' }, { limit: 10 })).map((o) => o.id)).toEqual(['o2']);
      expect((await store.listOrganisations({ q: 'c-1' }, { limit: 10 })).map((o) => o.id)).toEqual(['o1']);
      expect((await store.listOrganisations({ q: '.*' }, { limit: 10 })).map((o) => o.id)).toEqual([]);
      expect((await store.listProfiles({ organisationId: 'o1' }, { limit: 10 })).map((p) => p.id)).toEqual([
        'p1',
        'p3',
      ]);
      expect((await store.listProfiles({ organisationId: 'o1' }, { limit: 1, after: 'p1' })).map((p) => p.id)).toEqual([
        'p3',
      ]);
      expect(
        (await store.listProfiles({ email: 'shared@example.com', role: 'professional' }, { limit: 10 })).map(
          (p) => p.id,
        ),
      ).toEqual(['p2']);
      expect((await store.listProfiles({ status: 'disabled' }, { limit: 10 })).map((p) => p.id)).toEqual(['p3']);
      expect((await store.listProfiles({ q: 'three' }, { limit: 10 })).map((p) => p.id)).toEqual(['p3']);
      expect((await store.findOrganisationsByAccountNumber(['P-2', 'X'])).map((o) => o.id)).toEqual(['o2']);
      expect((await store.findProfilesOfOrganisations(['o1'])).map((p) => p.id).sort()).toEqual(['p1', 'p3']);
    });

    it('creates and replaces organisations, one per account number', async () => {
      const store = await setup();
      await store.createOrganisation(org('o9', { contractEndsOn: '2030-01-01' }));
      expect(await store.getOrganisation('o9')).toEqual(org('o9', { contractEndsOn: '2030-01-01' }));
      expect(await conflictOf(store.createOrganisation(org('o8', { accountNumber: 'A-o9' })))).toBe('account_number');
      // A change writes only its own fields: a rename does not undo a disable made since the renamer read the record.
      await store.updateOrganisation('o9', { status: 'disabled' });
      await store.updateOrganisation('o9', { name: 'Renamed', contractEndsOn: null });
      expect(await store.getOrganisation('o9')).toEqual(org('o9', { name: 'Renamed', status: 'disabled' }));
      expect(await conflictOf(store.updateOrganisation('o9', { accountNumber: 'C-1' }))).toBe('account_number');
      expect(await store.updateOrganisation('nope', { name: 'x' })).toBe(false);
      expect(await store.getOrganisation('nope')).toBeUndefined();
    });

    it('creates and replaces profiles, one per email in an organisation, never moving them', async () => {
      const store = await setup();
      await store.createProfile(profile('p9', 'o2'));
      expect(await store.getProfile('p9')).toEqual(profile('p9', 'o2'));
      expect(await conflictOf(store.createProfile(profile('p8', 'o2', { email: 'p9@example.com' })))).toBe(
        'profile_email',
      );
      await store.createProfile(profile('p7', 'o1', { email: 'p9@example.com' }));
      expect(await store.updateProfile('p9', { status: 'disabled' })).toBe(true);
      expect(await store.updateProfile('p9', { displayName: 'New name' })).toBe(true);
      expect(await store.getProfile('p9')).toEqual({
        ...profile('p9', 'o2'),
        displayName: 'New name',
        status: 'disabled',
      });
      expect(await conflictOf(store.updateProfile('p9', { email: 'shared@example.com' }))).toBe('profile_email');
      expect(await store.updateProfile('nope', { displayName: 'x' })).toBe(false);
    });

    it("keeps a profile's language as written, through changes and batches, and forgets it when cleared", async () => {
      const store = await setup();
      await store.createProfile(profile('p9', 'o2', { locale: 'fr-CH' }));
      expect(await store.getProfile('p9')).toEqual(profile('p9', 'o2', { locale: 'fr-CH' }));
      expect(await store.updateProfile('p9', { displayName: 'Renamed' })).toBe(true);
      expect((await store.getProfile('p9'))!.locale).toBe('fr-CH');
      expect(await store.updateProfile('p9', { locale: 'de' })).toBe(true);
      expect((await store.listProfiles({ organisationId: 'o2' }, { limit: 10 })).find((p) => p.id === 'p9')).toEqual(
        profile('p9', 'o2', { displayName: 'Renamed', locale: 'de' }),
      );
      expect(await store.updateProfile('p9', { locale: null })).toBe(true);
      expect(await store.getProfile('p9')).toEqual(profile('p9', 'o2', { displayName: 'Renamed' }));
      expect(Object.keys((await store.getProfile('p9'))!)).not.toContain('locale');
      await store.updateProfile('p9', { locale: 'de' });
      expect(await store.updateProfile('p9', { locale: '' })).toBe(true);
      expect((await store.getProfile('p9'))!.locale).toBeUndefined();
      // A batch replaces the profile: its language is the item's, or none.
      expect(
        await store.writeProfiles([profile('p9', 'o2', { locale: 'en-GB' }), profile('n1', 'o2', { locale: 'de' })]),
      ).toEqual([{ ok: true }, { ok: true }]);
      expect(
        (await store.findProfilesOfOrganisations(['o2']))
          .filter((p) => p.locale)
          .map((p) => [p.id, p.locale])
          .sort(),
      ).toEqual([
        ['n1', 'de'],
        ['p9', 'en-GB'],
      ]);
      await store.writeProfiles([profile('p9', 'o2')]);
      expect(await store.getProfile('p9')).toEqual(profile('p9', 'o2'));
      expect((await store.findProfilesByEmail('n1@example.com'))[0]!.locale).toBe('de');
    });

    it('never holds two administrators in an organisation, even when twenty writers race', async () => {
      const store = await setup();
      expect(await conflictOf(store.createProfile(profile('p9', 'o1', { role: 'administrator' })))).toBe(
        'administrator',
      );
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          conflictOf(store.createProfile(profile(`r${i}`, 'o2', { role: 'administrator' }))),
        ),
      );
      expect(outcomes.filter((o) => o === 'none')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'administrator')).toHaveLength(19);
      expect(await store.listProfiles({ organisationId: 'o2', role: 'administrator' }, { limit: 50 })).toHaveLength(1);
    });

    it('moves the administrator role from one profile to another', async () => {
      const store = await setup();
      expect(await conflictOf(store.designateAdministrator('p3'))).toBe('administrator');
      expect((await store.getProfile('p3'))!.role).toBe('professional');
      await store.designateAdministrator('p3', 'p1');
      expect((await store.getProfile('p1'))!.role).toBe('professional');
      expect((await store.getProfile('p3'))!.role).toBe('administrator');
      expect(
        (await store.listProfiles({ organisationId: 'o1', role: 'administrator' }, { limit: 50 })).map((p) => p.id),
      ).toEqual(['p3']);
    });

    it('records the emails a change of administrator owes with the change, until they are queued', async () => {
      const store = await setup();
      const at = new Date('2026-01-01T00:00:00Z');
      await store.designateAdministrator('p3', 'p1', { reference: 'REF-A', at });
      expect(await store.pendingAdministratorNotices(at, 10)).toEqual([]);
      expect(await store.pendingAdministratorNotices(new Date(at.getTime() + 1), 10)).toEqual([
        { profileId: 'p3', previousId: 'p1', reference: 'REF-A', at },
      ]);
      // The notice is not part of the profile.
      expect(Object.keys((await store.getProfile('p3'))!).sort()).toEqual([
        'displayName',
        'email',
        'id',
        'organisationId',
        'role',
        'status',
      ]);
      await store.administratorNoticeQueued('p3', 'REF-OTHER');
      expect(await store.pendingAdministratorNotices(new Date(at.getTime() + 1), 10)).toHaveLength(1);
      await store.administratorNoticeQueued('p3', 'REF-A');
      expect(await store.pendingAdministratorNotices(new Date(at.getTime() + 1), 10)).toEqual([]);
    });

    it('writes a batch item by item, saying which rule each refused item broke', async () => {
      // Items may be written concurrently: of two administrators for one organisation, exactly one is written.
      const store = await setup();
      const orgs = await store.writeOrganisations([
        org('o5'),
        org('o6', { accountNumber: 'C-1' }),
        { ...org('o1'), accountNumber: 'C-1', name: 'One renamed' },
      ]);
      expect(orgs).toEqual([{ ok: true }, { ok: false, conflict: 'account_number' }, { ok: true }]);
      expect((await store.getOrganisation('o1'))!.name).toBe('One renamed');
      expect(await store.getOrganisation('o6')).toBeUndefined();
      const profiles = await store.writeProfiles([
        profile('n1', 'o5', { role: 'administrator' }),
        profile('n2', 'o5', { role: 'administrator' }),
        profile('n3', 'o1', { email: 'solo@example.com' }),
        profile('n4', 'o5'),
        { ...profile('p1', 'o1', { role: 'administrator' }), email: 'shared@example.com', displayName: 'Renamed' },
      ]);
      expect(profiles.slice(2)).toEqual([{ ok: false, conflict: 'profile_email' }, { ok: true }, { ok: true }]);
      expect(profiles.slice(0, 2).sort((a, b) => Number(b.ok) - Number(a.ok))).toEqual([
        { ok: true },
        { ok: false, conflict: 'administrator' },
      ]);
      const written = (await store.listProfiles({ organisationId: 'o5' }, { limit: 50 })).map((p) => p.id);
      expect(written).toHaveLength(2);
      expect(written).toContain('n4');
      expect((await store.getProfile('p1'))!.displayName).toBe('Renamed');
    });
  });
}

import type { AssociationStore } from '../../directory/association-store.ts';
import {
  DirectoryConflict,
  type AdministratorNotice,
  type BatchResult,
  type DirectoryAdminStore,
  type PageRequest,
} from '../../directory/directory-admin-store.ts';
import type { DirectoryStore } from '../../directory/directory-store.ts';
import type { Association, Organisation, Profile } from '../../directory/model.ts';
import type { DirectorySeed } from '../../directory/seed.ts';

/**
 * The directory and its associations in process memory: the embedded default and the fast test store.
 * Returned records are copies, so callers cannot change stored state by mutating what they got. Each write checks
 * the uniqueness rules and applies in one synchronous step, so it is atomic within the process.
 */
export function createMemoryDirectory(
  seed: DirectorySeed = { organisations: [], profiles: [], associations: [] },
): DirectoryStore & AssociationStore & DirectoryAdminStore {
  const organisations = new Map<string, Organisation>(seed.organisations.map((o) => [o.id, { ...o }]));
  const profiles = new Map<string, Profile>(seed.profiles.map((p) => [p.id, { ...p }]));
  const administratorNotices = new Map<string, AdministratorNotice>();
  const associations = new Map<string, Association>(
    seed.associations.map((a) => [a.profileId, { ...a, associatedAt: new Date(0) }]),
  );
  // The profiles associated with each upstream identity: every sign-in looks an identity up, so it is an index, as
  // in MongoDB, not a scan of every association.
  const byIdentity = new Map<string, Set<string>>();
  const identityKey = (a: Pick<Association, 'upstreamId' | 'subject'>) => `${a.upstreamId}\u0000${a.subject}`;
  const index = (a: Association) => {
    const key = identityKey(a);
    const profileIds = byIdentity.get(key) ?? new Set<string>();
    byIdentity.set(key, profileIds.add(a.profileId));
  };
  const unindex = (a: Association) => {
    const key = identityKey(a);
    const profileIds = byIdentity.get(key);
    profileIds?.delete(a.profileId);
    if (profileIds?.size === 0) byIdentity.delete(key);
  };
  for (const association of associations.values()) index(association);

  const page = <T extends { id: string }>(
    items: Iterable<T>,
    keep: (item: T) => boolean,
    { limit, after }: PageRequest,
  ): T[] =>
    [...items]
      .filter((item) => (after === undefined || item.id > after) && keep(item))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, limit)
      .map((item) => ({ ...item }));

  const organisationConflict = (organisation: Organisation) => {
    for (const other of organisations.values()) {
      if (other.id !== organisation.id && other.accountNumber === organisation.accountNumber)
        return new DirectoryConflict('account_number');
    }
    return undefined;
  };
  const profileConflict = (profile: Profile) => {
    for (const other of profiles.values()) {
      if (other.id === profile.id || other.organisationId !== profile.organisationId) continue;
      if (other.email === profile.email) return new DirectoryConflict('profile_email');
      if (profile.role === 'administrator' && other.role === 'administrator')
        return new DirectoryConflict('administrator');
    }
    return undefined;
  };
  // A batch (an import) checks each item against indexes built once, not by scanning every record per item.
  const organisationBatch = (items: Organisation[]): BatchResult[] => {
    const byAccount = new Map([...organisations.values()].map((o) => [o.accountNumber, o.id]));
    return items.map((item) => {
      const holder = byAccount.get(item.accountNumber);
      if (holder !== undefined && holder !== item.id) return { ok: false, conflict: 'account_number' };
      const previous = organisations.get(item.id);
      if (previous) byAccount.delete(previous.accountNumber);
      byAccount.set(item.accountNumber, item.id);
      organisations.set(item.id, { ...item });
      return { ok: true };
    });
  };
  const profileBatch = (items: Profile[]): BatchResult[] => {
    const byEmail = new Map([...profiles.values()].map((p) => [`${p.organisationId} ${p.email}`, p.id]));
    const administrators = new Map(
      [...profiles.values()].filter((p) => p.role === 'administrator').map((p) => [p.organisationId, p.id]),
    );
    return items.map((item) => {
      const sameEmail = byEmail.get(`${item.organisationId} ${item.email}`);
      if (sameEmail !== undefined && sameEmail !== item.id) return { ok: false, conflict: 'profile_email' };
      const administrator = administrators.get(item.organisationId);
      if (item.role === 'administrator' && administrator !== undefined && administrator !== item.id)
        return { ok: false, conflict: 'administrator' };
      const previous = profiles.get(item.id);
      if (previous) byEmail.delete(`${previous.organisationId} ${previous.email}`);
      if (previous?.role === 'administrator') administrators.delete(previous.organisationId);
      byEmail.set(`${item.organisationId} ${item.email}`, item.id);
      if (item.role === 'administrator') administrators.set(item.organisationId, item.id);
      profiles.set(item.id, { ...item });
      return { ok: true };
    });
  };

  return {
    async getProfile(id) {
      const profile = profiles.get(id);
      return profile && { ...profile };
    },
    async getOrganisation(id) {
      const org = organisations.get(id);
      return org && { ...org };
    },
    async findProfilesByEmail(email) {
      return [...profiles.values()].filter((p) => p.email === email).map((p) => ({ ...p }));
    },
    async associate(association) {
      const current = associations.get(association.profileId);
      if (current && current.upstreamId === association.upstreamId && current.subject === association.subject)
        return {};
      if (current) unindex(current);
      associations.set(association.profileId, { ...association });
      index(association);
      return current ? { replaced: { ...current } } : {};
    },
    async pendingNotices(before, limit) {
      return [...associations.values()]
        .filter((a) => a.noticePending && a.associatedAt.getTime() < before.getTime())
        .sort((a, b) => a.associatedAt.getTime() - b.associatedAt.getTime())
        .slice(0, limit)
        .map((a) => ({ ...a }));
    },
    async noticeQueued(profileId, reference) {
      const current = associations.get(profileId);
      if (current?.reference === reference) delete current.noticePending;
    },
    async dissociate(profileId) {
      const current = associations.get(profileId);
      associations.delete(profileId);
      if (current) unindex(current);
      return current && { ...current };
    },
    async findByIdentity({ upstreamId, subject }) {
      const profileIds = byIdentity.get(identityKey({ upstreamId, subject })) ?? [];
      return [...profileIds].map((profileId) => ({ ...associations.get(profileId)! }));
    },
    async findByProfile(profileId) {
      const association = associations.get(profileId);
      return association && { ...association };
    },

    async listOrganisations(filter, request) {
      const q = filter.q?.toLowerCase();
      return page(
        organisations.values(),
        (o) =>
          (!filter.kind || o.kind === filter.kind) &&
          (!filter.status || o.status === filter.status) &&
          (!q || o.name.toLowerCase().includes(q) || o.accountNumber.toLowerCase() === q),
        request,
      );
    },
    async listProfiles(filter, request) {
      const q = filter.q?.toLowerCase();
      return page(
        profiles.values(),
        (p) =>
          (!filter.organisationId || p.organisationId === filter.organisationId) &&
          (!filter.email || p.email === filter.email) &&
          (!filter.role || p.role === filter.role) &&
          (!filter.status || p.status === filter.status) &&
          (!q || p.displayName.toLowerCase().includes(q)),
        request,
      );
    },
    async findOrganisationsByAccountNumber(accountNumbers) {
      const wanted = new Set(accountNumbers);
      return [...organisations.values()].filter((o) => wanted.has(o.accountNumber)).map((o) => ({ ...o }));
    },
    async findProfilesOfOrganisations(organisationIds) {
      const wanted = new Set(organisationIds);
      return [...profiles.values()].filter((p) => wanted.has(p.organisationId)).map((p) => ({ ...p }));
    },
    async createOrganisation(organisation) {
      if (organisations.has(organisation.id)) throw new Error(`organisation ${organisation.id} exists`);
      const conflict = organisationConflict(organisation);
      if (conflict) throw conflict;
      organisations.set(organisation.id, { ...organisation });
    },
    async updateOrganisation(id, changes) {
      const current = organisations.get(id);
      if (!current) return false;
      const { contractEndsOn, ...rest } = changes;
      const next: Organisation = { ...current, ...rest };
      if (contractEndsOn === null) delete next.contractEndsOn;
      else if (contractEndsOn !== undefined) next.contractEndsOn = contractEndsOn;
      const conflict = organisationConflict(next);
      if (conflict) throw conflict;
      organisations.set(id, next);
      return true;
    },
    async createProfile(profile) {
      if (profiles.has(profile.id)) throw new Error(`profile ${profile.id} exists`);
      const conflict = profileConflict(profile);
      if (conflict) throw conflict;
      profiles.set(profile.id, { ...profile });
    },
    async updateProfile(id, changes) {
      const current = profiles.get(id);
      if (!current) return false;
      const { locale, ...rest } = changes;
      const next: Profile = { ...current, ...rest };
      if (locale === null || locale === '') delete next.locale;
      else if (locale !== undefined) next.locale = locale;
      const conflict = profileConflict(next);
      if (conflict) throw conflict;
      profiles.set(id, next);
      return true;
    },
    async designateAdministrator(profileId, previousId, notice) {
      const previous = previousId ? profiles.get(previousId) : undefined;
      if (previous?.role === 'administrator') previous.role = 'professional';
      const profile = profiles.get(profileId);
      if (!profile) return;
      const conflict = profileConflict({ ...profile, role: 'administrator' });
      if (conflict) throw conflict;
      profile.role = 'administrator';
      if (notice) administratorNotices.set(profileId, { profileId, ...(previousId ? { previousId } : {}), ...notice });
    },
    async pendingAdministratorNotices(before, limit) {
      return [...administratorNotices.values()]
        .filter((n) => n.at.getTime() < before.getTime())
        .sort((a, b) => a.at.getTime() - b.at.getTime())
        .slice(0, limit)
        .map((n) => ({ ...n }));
    },
    async administratorNoticeQueued(profileId, reference) {
      if (administratorNotices.get(profileId)?.reference === reference) administratorNotices.delete(profileId);
    },
    async writeOrganisations(items) {
      return organisationBatch(items);
    },
    async writeProfiles(items) {
      return profileBatch(items);
    },
  };
}

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
  const organisations = new Map<string, Organisation>();
  const profiles = new Map<string, Profile>();
  const administratorNotices = new Map<string, AdministratorNotice>();
  const associations = new Map<string, Association>(
    seed.associations.map((a) => [a.profileId, { ...a, associatedAt: new Date(0) }]),
  );
  // Every lookup goes through an index, as in MongoDB, so that its cost does not grow with the directory: a sign-in
  // looks an identity up, a link request an email, an import or an organisation's page its organisation, the notice
  // relay the associations that owe one. Each index is kept in step with its record by putProfile/putOrganisation
  // and the association writes below; only listings without a key (every profile, every organisation) still scan.
  const byIdentity = new Map<string, Set<string>>();
  const profilesByEmail = new Map<string, Set<string>>();
  const profilesByOrganisation = new Map<string, Set<string>>();
  const administrators = new Map<string, string>();
  const organisationByAccount = new Map<string, string>();
  const noticesOwed = new Set<string>();
  const add = (index: Map<string, Set<string>>, key: string, id: string) => {
    const ids = index.get(key) ?? new Set<string>();
    index.set(key, ids.add(id));
  };
  const drop = (index: Map<string, Set<string>>, key: string, id: string) => {
    const ids = index.get(key);
    ids?.delete(id);
    if (ids?.size === 0) index.delete(key);
  };
  const identityKey = (a: Pick<Association, 'upstreamId' | 'subject'>) => `${a.upstreamId}\u0000${a.subject}`;
  const index = (a: Association) => {
    add(byIdentity, identityKey(a), a.profileId);
    if (a.noticePending) noticesOwed.add(a.profileId);
    else noticesOwed.delete(a.profileId);
  };
  const unindex = (a: Association) => {
    drop(byIdentity, identityKey(a), a.profileId);
    noticesOwed.delete(a.profileId);
  };
  /** Stores `next` (a copy the caller no longer holds) in place of the profile of its id, its indexes with it. */
  const putProfile = (next: Profile) => {
    const previous = profiles.get(next.id);
    if (previous && previous.email !== next.email) drop(profilesByEmail, previous.email, next.id);
    if (previous && previous.organisationId !== next.organisationId)
      drop(profilesByOrganisation, previous.organisationId, next.id);
    if (previous?.role === 'administrator' && administrators.get(previous.organisationId) === next.id)
      administrators.delete(previous.organisationId);
    profiles.set(next.id, next);
    add(profilesByEmail, next.email, next.id);
    add(profilesByOrganisation, next.organisationId, next.id);
    if (next.role === 'administrator') administrators.set(next.organisationId, next.id);
  };
  const putOrganisation = (next: Organisation) => {
    const previous = organisations.get(next.id);
    if (previous && organisationByAccount.get(previous.accountNumber) === next.id)
      organisationByAccount.delete(previous.accountNumber);
    organisations.set(next.id, next);
    organisationByAccount.set(next.accountNumber, next.id);
  };
  const profilesOf = (ids: Iterable<string> | undefined) => [...(ids ?? [])].map((id) => profiles.get(id)!);
  for (const o of seed.organisations) putOrganisation({ ...o });
  for (const p of seed.profiles) putProfile({ ...p });
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
    const holder = organisationByAccount.get(organisation.accountNumber);
    return holder !== undefined && holder !== organisation.id ? new DirectoryConflict('account_number') : undefined;
  };
  /** Another profile of its organisation with its email, or another administrator there when it is one. */
  const profileConflict = (profile: Profile) => {
    for (const other of profilesOf(profilesByEmail.get(profile.email)))
      if (other.id !== profile.id && other.organisationId === profile.organisationId)
        return new DirectoryConflict('profile_email');
    const administrator = administrators.get(profile.organisationId);
    if (profile.role === 'administrator' && administrator !== undefined && administrator !== profile.id)
      return new DirectoryConflict('administrator');
    return undefined;
  };
  // A batch (an import) checks each item as it goes, against the same indexes: a conflict with an earlier item of the
  // batch is found as one with a stored record.
  const organisationBatch = (items: Organisation[]): BatchResult[] =>
    items.map((item) => {
      if (organisationConflict(item)) return { ok: false, conflict: 'account_number' };
      putOrganisation({ ...item });
      return { ok: true };
    });
  const profileBatch = (items: Profile[]): BatchResult[] =>
    items.map((item) => {
      const conflict = profileConflict(item);
      if (conflict) return { ok: false, conflict: conflict.kind };
      putProfile({ ...item });
      return { ok: true };
    });

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
      return profilesOf(profilesByEmail.get(email)).map((p) => ({ ...p }));
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
      return [...noticesOwed]
        .map((profileId) => associations.get(profileId)!)
        .filter((a) => a.associatedAt.getTime() < before.getTime())
        .sort((a, b) => a.associatedAt.getTime() - b.associatedAt.getTime())
        .slice(0, limit)
        .map((a) => ({ ...a }));
    },
    async noticeQueued(profileId, reference) {
      const current = associations.get(profileId);
      if (current?.reference !== reference) return;
      delete current!.noticePending;
      noticesOwed.delete(profileId);
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
      // An organisation's people (its page, its administrator) or an email's profiles: from their index.
      const candidates = filter.organisationId
        ? profilesOf(profilesByOrganisation.get(filter.organisationId))
        : filter.email
          ? profilesOf(profilesByEmail.get(filter.email))
          : profiles.values();
      return page(
        candidates,
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
      return [...new Set(accountNumbers)].flatMap((accountNumber) => {
        const id = organisationByAccount.get(accountNumber);
        return id === undefined ? [] : [{ ...organisations.get(id)! }];
      });
    },
    async findProfilesOfOrganisations(organisationIds) {
      return [...new Set(organisationIds)].flatMap((organisationId) =>
        profilesOf(profilesByOrganisation.get(organisationId)).map((p) => ({ ...p })),
      );
    },
    async createOrganisation(organisation) {
      if (organisations.has(organisation.id)) throw new Error(`organisation ${organisation.id} exists`);
      const conflict = organisationConflict(organisation);
      if (conflict) throw conflict;
      putOrganisation({ ...organisation });
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
      putOrganisation(next);
      return true;
    },
    async createProfile(profile) {
      if (profiles.has(profile.id)) throw new Error(`profile ${profile.id} exists`);
      const conflict = profileConflict(profile);
      if (conflict) throw conflict;
      putProfile({ ...profile });
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
      putProfile(next);
      return true;
    },
    async designateAdministrator(profileId, previousId, notice) {
      const previous = previousId ? profiles.get(previousId) : undefined;
      if (previous?.role === 'administrator') putProfile({ ...previous, role: 'professional' });
      const profile = profiles.get(profileId);
      if (!profile) return;
      const conflict = profileConflict({ ...profile, role: 'administrator' });
      if (conflict) throw conflict;
      putProfile({ ...profile, role: 'administrator' });
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

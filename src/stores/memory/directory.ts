import type { AssociationStore } from '../../directory/association-store.ts';
import type { DirectoryStore } from '../../directory/directory-store.ts';
import type { Association, Organisation, Profile } from '../../directory/model.ts';
import type { DirectorySeed } from '../../directory/seed.ts';

/**
 * The directory and its associations in process memory: the embedded default and the fast test store.
 * Returned records are copies, so callers cannot change stored state by mutating what they got.
 */
export function createMemoryDirectory(seed: DirectorySeed = { organisations: [], profiles: [], associations: [] }): DirectoryStore & AssociationStore {
  const organisations = new Map<string, Organisation>(seed.organisations.map((o) => [o.id, { ...o }]));
  const profiles = new Map<string, Profile>(seed.profiles.map((p) => [p.id, { ...p }]));
  const associations = new Map<string, Association>(
    seed.associations.map((a) => [a.profileId, { ...a, associatedAt: new Date(0) }]),
  );

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
      if (current && current.upstreamId === association.upstreamId && current.subject === association.subject) return {};
      associations.set(association.profileId, { ...association });
      return current ? { replaced: { ...current } } : {};
    },
    async findByIdentity({ upstreamId, subject }) {
      return [...associations.values()]
        .filter((a) => a.upstreamId === upstreamId && a.subject === subject)
        .map((a) => ({ ...a }));
    },
    async findByProfile(profileId) {
      const association = associations.get(profileId);
      return association && { ...association };
    },
  };
}

import type { Clock } from '../shared/clock.ts';
import type { AssociationStore } from './association-store.ts';
import type { DirectoryStore } from './directory-store.ts';
import { assessProfile, type AdmissionPolicy, type Ineligibility } from './eligibility.ts';
import type { Organisation, Profile, UpstreamIdentity } from './model.ts';

export interface ProfileChoice {
  profile: Profile;
  organisation: Organisation;
}

export interface RefusedProfile extends ProfileChoice {
  reason: Ineligibility;
}

export interface ProfilesForIdentity {
  admitted: ProfileChoice[];
  refused: RefusedProfile[];
}

/**
 * The profiles an upstream identity holds, split by what one portal admits. Profiles whose directory record is
 * gone are left out entirely: they cannot be signed in as, and there is nothing to tell the person about them.
 */
export function createProfileResolver(deps: { directory: DirectoryStore; associations: AssociationStore; clock: Clock }) {
  const load = async (profileId: string): Promise<ProfileChoice | undefined> => {
    const profile = await deps.directory.getProfile(profileId);
    if (!profile) return undefined;
    const organisation = await deps.directory.getOrganisation(profile.organisationId);
    return organisation ? { profile, organisation } : undefined;
  };

  return {
    load,

    async forIdentity(identity: Pick<UpstreamIdentity, 'upstreamId' | 'subject'>, policy: AdmissionPolicy): Promise<ProfilesForIdentity> {
      const associations = await deps.associations.findByIdentity(identity);
      const loaded = await Promise.all(associations.map((a) => load(a.profileId)));
      const now = deps.clock.now();
      const result: ProfilesForIdentity = { admitted: [], refused: [] };
      for (const choice of loaded) {
        if (!choice) continue;
        const assessment = assessProfile(choice.profile, choice.organisation, policy, now);
        if (assessment.eligible) result.admitted.push(choice);
        else result.refused.push({ ...choice, reason: assessment.reason });
      }
      const byName = (a: ProfileChoice, b: ProfileChoice) => a.organisation.name.localeCompare(b.organisation.name);
      result.admitted.sort(byName);
      result.refused.sort(byName);
      return result;
    },

    /** The upstream identity a profile is associated with, if any: how a session finds its other profiles. */
    async identityOf(profileId: string): Promise<Pick<UpstreamIdentity, 'upstreamId' | 'subject'> | undefined> {
      const association = await deps.associations.findByProfile(profileId);
      return association ? { upstreamId: association.upstreamId, subject: association.subject } : undefined;
    },

    /** The profile as a signed-in account, or undefined when it may no longer be used (gone, unlinked, refused). */
    async account(profileId: string, policy?: AdmissionPolicy): Promise<ProfileChoice | undefined> {
      const [choice, association] = await Promise.all([load(profileId), deps.associations.findByProfile(profileId)]);
      if (!choice || !association) return undefined;
      if (policy) {
        return assessProfile(choice.profile, choice.organisation, policy, deps.clock.now()).eligible ? choice : undefined;
      }
      return choice.profile.status === 'active' && choice.organisation.status === 'active' ? choice : undefined;
    },
  };
}

export type ProfileResolver = ReturnType<typeof createProfileResolver>;

import type { Clock } from '../shared/clock.ts';
import type { AssociationStore } from './association-store.ts';
import type { DirectoryStore } from './directory-store.ts';
import { assessProfile, mayUseProfile, type AdmissionPolicy, type Ineligibility } from './eligibility.ts';
import type { Association, Organisation, Profile, UpstreamIdentity } from './model.ts';

export interface ProfileChoice {
  profile: Profile;
  organisation: Organisation;
}

export interface AssociatedChoice extends ProfileChoice {
  associatedAt: Date;
}

export interface RefusedProfile extends AssociatedChoice {
  reason: Ineligibility;
}

export interface ProfilesForIdentity {
  admitted: AssociatedChoice[];
  refused: RefusedProfile[];
}

/** A login at `authTime` may act as the profile only if the association already existed then. */
function associatedBy(association: Association, authTime: number): boolean {
  return Math.floor(association.associatedAt.getTime() / 1000) <= authTime;
}

export function createProfileResolver(deps: {
  directory: DirectoryStore;
  associations: AssociationStore;
  clock: Clock;
}) {
  const load = async (profileId: string): Promise<ProfileChoice | undefined> => {
    const profile = await deps.directory.getProfile(profileId);
    if (!profile) return undefined;
    const organisation = await deps.directory.getOrganisation(profile.organisationId);
    return organisation ? { profile, organisation } : undefined;
  };

  return {
    load,

    /**
     * The profiles an upstream identity holds, split by what one portal admits. Profiles whose directory record is
     * gone are left out entirely: they cannot be signed in as, and there is nothing to tell the person about them.
     */
    async forIdentity(
      identity: Pick<UpstreamIdentity, 'upstreamId' | 'subject'>,
      policy: AdmissionPolicy,
    ): Promise<ProfilesForIdentity> {
      const associations = await deps.associations.findByIdentity(identity);
      const loaded = await Promise.all(
        associations.map(async (a) => {
          const choice = await load(a.profileId);
          return choice && { ...choice, associatedAt: a.associatedAt };
        }),
      );
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

    /**
     * The upstream identity a signed-in profile belongs to: how a session finds its other profiles. Undefined when
     * the profile was (re-)associated after `authTime` (epoch seconds): that session signed in as someone the
     * profile no longer belongs to.
     */
    async identityOf(
      profileId: string,
      authTime: number,
    ): Promise<Pick<UpstreamIdentity, 'upstreamId' | 'subject'> | undefined> {
      const association = await deps.associations.findByProfile(profileId);
      if (!association || !associatedBy(association, authTime)) return undefined;
      return { upstreamId: association.upstreamId, subject: association.subject };
    },

    /**
     * The profile as a signed-in account, with the association that makes it one, or undefined when it may no longer
     * be used: gone, unlinked, refused by `policy`, outside `upstreamIds`, or re-associated after the authentication
     * at `authTime` (epoch seconds).
     */
    async account(
      profileId: string,
      policy?: AdmissionPolicy,
      binding: { authTime?: number; upstreamIds?: readonly string[] } = {},
    ): Promise<(ProfileChoice & { association: Association }) | undefined> {
      const [choice, association] = await Promise.all([load(profileId), deps.associations.findByProfile(profileId)]);
      if (!choice || !association) return undefined;
      if (binding.authTime !== undefined && !associatedBy(association, binding.authTime)) return undefined;
      if (binding.upstreamIds && !binding.upstreamIds.includes(association.upstreamId)) return undefined;
      return mayUseProfile(choice.profile, choice.organisation, policy, deps.clock.now())
        ? { ...choice, association }
        : undefined;
    },
  };
}

export type ProfileResolver = ReturnType<typeof createProfileResolver>;

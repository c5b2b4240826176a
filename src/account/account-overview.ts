import { maskAccount } from '../association/mask.ts';
import type { AssociationStore } from '../directory/association-store.ts';
import type { DirectoryStore } from '../directory/directory-store.ts';
import { contractActive } from '../directory/eligibility.ts';
import type { Organisation, Profile } from '../directory/model.ts';
import { portalsAdmitting, type PortalAdmission } from '../directory/portal-admission.ts';
import type { Clock } from '../shared/clock.ts';
import type { AccountHolder } from './account-holder.ts';

export interface AccountOverviewDeps {
  directory: Pick<DirectoryStore, 'getProfile' | 'getOrganisation'>;
  associations: Pick<AssociationStore, 'findByIdentity'>;
  /** The enabled portals, for "which portals admit it". */
  portals(): Promise<PortalAdmission[]>;
  /** How people know an upstream ("Microsoft account"), by its id. */
  upstreamName(upstreamId: string): string;
  clock: Clock;
}

export interface AccountProfile {
  profile: Profile;
  organisation: Organisation;
  associatedAt: Date;
  contractActive: boolean;
  /** The portals that would let this profile in now. */
  admittedBy: { clientId: string; name: string }[];
  /** The profile the console or token is acting as. */
  current: boolean;
}

export interface AccountOverview {
  /** The upstream account, masked as the notices show it. */
  account: { upstreamId: string; upstreamName: string; masked: string };
  profiles: AccountProfile[];
}

/**
 * "My account": the upstream account the person is signed in with, and every profile associated with it, with what
 * each is (organisation, account number, kind, role, registered email, contract) and which portals admit it.
 */
export async function accountOverview(deps: AccountOverviewDeps, holder: AccountHolder): Promise<AccountOverview> {
  const { association } = holder;
  const [associations, portals] = await Promise.all([
    deps.associations.findByIdentity({ upstreamId: association.upstreamId, subject: association.subject }),
    deps.portals(),
  ]);
  const now = deps.clock.now();
  const loaded = await Promise.all(
    associations.map(async (a) => {
      const profile = await deps.directory.getProfile(a.profileId);
      const organisation = profile && (await deps.directory.getOrganisation(profile.organisationId));
      if (!profile || !organisation) return undefined;
      return {
        profile,
        organisation,
        associatedAt: a.associatedAt,
        contractActive: contractActive(organisation, now),
        admittedBy: portalsAdmitting(portals, profile, organisation, now).map(({ clientId, name }) => ({
          clientId,
          name,
        })),
        current: profile.id === holder.profile.id,
      };
    }),
  );
  const profiles = loaded
    .filter((p): p is AccountProfile => p !== undefined)
    .sort((a, b) => a.organisation.name.localeCompare(b.organisation.name) || a.profile.id.localeCompare(b.profile.id));
  return {
    account: {
      upstreamId: association.upstreamId,
      upstreamName: deps.upstreamName(association.upstreamId),
      masked: association.account ?? maskAccount({ subject: association.subject }),
    },
    profiles,
  };
}

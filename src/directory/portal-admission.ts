import { mayUseProfile, type AdmissionPolicy } from './eligibility.ts';
import type { Organisation, Profile } from './model.ts';

/** A portal people sign in to, with what it admits (the account console is not one). */
export interface PortalAdmission {
  clientId: string;
  name: string;
  policy: AdmissionPolicy;
  /** Where a sign-in to it starts (its `initiate_login_uri`), else its home page (`client_uri`), when it says. */
  url?: string;
}

/** The portals that would let this profile in now, in the order given. */
export function portalsAdmitting(
  portals: readonly PortalAdmission[],
  profile: Profile,
  organisation: Organisation,
  now: Date,
): PortalAdmission[] {
  return portals.filter((p) => mayUseProfile(profile, organisation, p.policy, now));
}

import type { Organisation, Profile, ProfileKind } from './model.ts';

/** What a portal admits, from the client's broker policy. */
export interface AdmissionPolicy {
  profileKinds: readonly ProfileKind[];
  contractRequired: boolean;
}

export type Ineligibility = 'profile_disabled' | 'organisation_disabled' | 'kind_not_admitted' | 'contract_inactive';

export type Assessment = { eligible: true } | { eligible: false; reason: Ineligibility };

/** A contract is active through the whole of its last day (UTC). */
export function contractActive(org: Organisation, now: Date): boolean {
  if (!org.contractEndsOn) return false;
  return now.toISOString().slice(0, 10) <= org.contractEndsOn;
}

/**
 * The one rule for "may this profile be used by this portal now": every sign-in, picker, link, invitation and token
 * asks it. Without a portal (a link or invitation not tied to one, a token whose client is unknown) only the
 * profile's and its organisation's own status count. Reasons are ordered so the person hears the one they can act on
 * first.
 */
export function assessProfile(
  profile: Profile,
  org: Organisation,
  policy: AdmissionPolicy | undefined,
  now: Date,
): Assessment {
  if (profile.status !== 'active') return { eligible: false, reason: 'profile_disabled' };
  if (org.status !== 'active') return { eligible: false, reason: 'organisation_disabled' };
  if (!policy) return { eligible: true };
  if (!policy.profileKinds.includes(org.kind)) return { eligible: false, reason: 'kind_not_admitted' };
  if (policy.contractRequired && !contractActive(org, now)) return { eligible: false, reason: 'contract_inactive' };
  return { eligible: true };
}

/** `assessProfile` as a yes or no. */
export function mayUseProfile(
  profile: Profile,
  org: Organisation,
  policy: AdmissionPolicy | undefined,
  now: Date,
): boolean {
  return assessProfile(profile, org, policy, now).eligible;
}

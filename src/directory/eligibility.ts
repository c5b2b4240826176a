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

/** Whether a portal admits a profile now. Reasons are ordered so the person hears the one they can act on first. */
export function assessProfile(profile: Profile, org: Organisation, policy: AdmissionPolicy, now: Date): Assessment {
  if (profile.status !== 'active') return { eligible: false, reason: 'profile_disabled' };
  if (org.status !== 'active') return { eligible: false, reason: 'organisation_disabled' };
  if (!policy.profileKinds.includes(org.kind)) return { eligible: false, reason: 'kind_not_admitted' };
  if (policy.contractRequired && !contractActive(org, now)) return { eligible: false, reason: 'contract_inactive' };
  return { eligible: true };
}

import { describe, expect, it } from '@jest/globals';
import { assessProfile, contractActive } from '../../src/directory/eligibility.ts';
import type { Organisation, Profile } from '../../src/directory/model.ts';

const org: Organisation = {
  id: 'o',
  accountNumber: 'C-1',
  name: 'Org',
  kind: 'customer',
  status: 'active',
  contractEndsOn: '2026-06-30',
};
const profile: Profile = {
  id: 'p',
  organisationId: 'o',
  email: 'a@b.example',
  displayName: 'A',
  role: 'professional',
  status: 'active',
};
const policy = { profileKinds: ['customer'] as const, contractRequired: true };

describe('eligibility', () => {
  it('counts a contract active through the whole of its last day (UTC)', () => {
    expect(contractActive(org, new Date('2026-06-30T23:59:59Z'))).toBe(true);
    expect(contractActive(org, new Date('2026-07-01T00:00:00Z'))).toBe(false);
    expect(contractActive({ ...org, contractEndsOn: undefined }, new Date('2020-01-01T00:00:00Z'))).toBe(false);
  });

  it('gives the reason a person can act on first', () => {
    const later = new Date('2027-01-01T00:00:00Z');
    expect(assessProfile({ ...profile, status: 'disabled' }, { ...org, kind: 'partner' }, policy, later)).toEqual({
      eligible: false,
      reason: 'profile_disabled',
    });
    expect(assessProfile(profile, { ...org, status: 'disabled' }, policy, later)).toEqual({
      eligible: false,
      reason: 'organisation_disabled',
    });
    expect(assessProfile(profile, { ...org, kind: 'partner' }, policy, later)).toEqual({
      eligible: false,
      reason: 'kind_not_admitted',
    });
    expect(assessProfile(profile, org, policy, later)).toEqual({ eligible: false, reason: 'contract_inactive' });
    expect(assessProfile(profile, org, { ...policy, contractRequired: false }, later)).toEqual({ eligible: true });
  });

  it('admits an active profile of an active organisation of an admitted kind while its contract runs', () => {
    expect(assessProfile(profile, org, policy, new Date('2026-06-30T12:00:00Z'))).toEqual({ eligible: true });
    expect(
      assessProfile(
        profile,
        { ...org, kind: 'partner' },
        { ...policy, profileKinds: ['customer', 'partner'] },
        new Date('2026-01-01T00:00:00Z'),
      ),
    ).toEqual({ eligible: true });
  });

  it('admits an organisation without a contract only where the portal does not require one', () => {
    const noContract = { ...org, contractEndsOn: undefined };
    const now = new Date('2026-01-01T00:00:00Z');
    expect(assessProfile(profile, noContract, policy, now)).toEqual({ eligible: false, reason: 'contract_inactive' });
    expect(assessProfile(profile, noContract, { ...policy, contractRequired: false }, now)).toEqual({ eligible: true });
  });

  it('admits no kind a portal does not list', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(assessProfile(profile, org, { ...policy, profileKinds: [] }, now)).toEqual({
      eligible: false,
      reason: 'kind_not_admitted',
    });
    expect(assessProfile(profile, org, { ...policy, profileKinds: ['partner'] }, now)).toEqual({
      eligible: false,
      reason: 'kind_not_admitted',
    });
  });
});

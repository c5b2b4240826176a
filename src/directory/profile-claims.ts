import type { Organisation, Profile } from './model.ts';

/** The token contract (docs/architecture.md §3), per scope. `sub` is the profile id. */
export const SCOPE_CLAIMS = {
  email: ['email', 'email_verified'],
  profile: ['name'],
  org_profile: [
    'profile_id',
    'profile_kind',
    'profile_role',
    'profile_email',
    'org_id',
    'org_name',
    'org_account_number',
  ],
} as const;

export type ProfileClaims = ReturnType<typeof claimsForProfile>;

export function claimsForProfile(profile: Profile, org: Organisation) {
  return {
    sub: profile.id,
    // The association proved control of the registered address, so it is verified by construction.
    email: profile.email,
    email_verified: true,
    name: profile.displayName,
    profile_id: profile.id,
    profile_kind: org.kind,
    profile_role: profile.role,
    profile_email: profile.email,
    org_id: org.id,
    org_name: org.name,
    org_account_number: org.accountNumber,
  };
}

/** Only the claims of the granted scopes: used for access tokens, whose claims oidc-provider does not filter. */
export function claimsForScopes(claims: ProfileClaims, scopes: ReadonlySet<string>): Partial<ProfileClaims> {
  const out: Record<string, unknown> = {};
  for (const [scope, names] of Object.entries(SCOPE_CLAIMS)) {
    if (!scopes.has(scope)) continue;
    for (const name of names) out[name] = claims[name];
  }
  return out as Partial<ProfileClaims>;
}

import type { AdminActor } from '../clients/admin-scopes.ts';
import type { ProfileResolver } from '../directory/admitted-profiles.ts';
import type { Association, Organisation, Profile } from '../directory/model.ts';

/**
 * The person behind an account-console session or an account API token: the profile the token was issued for, its
 * organisation, and the upstream account it is associated with now. Every self-service use case starts from one.
 */
export interface AccountHolder {
  profile: Profile;
  organisation: Organisation;
  association: Association;
}

/** How a person's actions are recorded in the audit log: `profile:<id>`, holding no admin scope. */
export function profileActor(profileId: string, ip?: string): AdminActor {
  return { actor: `profile:${profileId}`, ...(ip ? { ip } : {}), holds: [] };
}

/**
 * The holder a token names, or undefined when it may no longer act: the profile or its organisation is gone or
 * disabled, or the profile has no association (unlinked, or removed by its owner). A profile associated with another
 * account since has had the old account's grants and tokens revoked, so they never get here.
 */
export async function accountHolder(
  deps: { profiles: Pick<ProfileResolver, 'account'> },
  profileId: string,
): Promise<AccountHolder | undefined> {
  return deps.profiles.account(profileId);
}

/** The scope a portal asks for to call the account API with the person's access token. */
export const ACCOUNT_SCOPE = 'account';

import { sendInvitation, type SupportDeskDeps } from '../association/support-desk.ts';
import { profileOf } from '../directory/manage-directory.ts';
import { sameIdentity } from '../directory/model.ts';
import { AppError } from '../shared/errors.ts';
import { profileActor, type AccountHolder } from './account-holder.ts';
import { spendInvitation, type InvitationLimits } from './invitation-limits.ts';

/**
 * "Use a different account for this profile": the support desk's invitation ("Send Invite E-mail"), asked for by the
 * account that holds the profile. It goes to the profile's registered address, as every link does, and whoever opens
 * it from that mailbox and signs in takes the profile: the redemption replaces the association and signs out everyone
 * signed in as the profile. Until then nothing changes. Only a profile of the holder's own account can be re-invited;
 * any other is "not found", as for removing one, so nobody learns from the answer which profiles exist.
 */
export async function reinviteProfile(
  deps: { support: SupportDeskDeps; invitations: InvitationLimits },
  holder: AccountHolder,
  profileId: string,
  ip?: string,
  language?: string,
) {
  const association = await deps.support.associations.findByProfile(profileId);
  if (!association || !sameIdentity(association, holder.association)) {
    throw new AppError(404, 'profile_not_in_account', `profile ${profileId} is not associated with this account`);
  }
  const profile = await profileOf(deps.support, profileId);
  await spendInvitation(deps.invitations, profile.organisationId, profileId);
  const { reference, expires_at } = await sendInvitation(deps.support, profileActor(holder.profile.id, ip), profileId, {
    language,
  });
  return { reference, expiresAt: new Date(expires_at) };
}

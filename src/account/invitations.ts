import { revokeProfileLinks, sendInvitation } from '../association/support-desk.ts';
import { AppError } from '../shared/errors.ts';
import type { AccountHolder } from './account-holder.ts';
import { spendInvitation } from './invitation-limits.ts';
import { administratorActor, forChange, type OurOrganisationDeps } from './our-organisation.ts';

/**
 * "Resend the invitation": a new link to the person's registered address, naming the administrator; it supersedes
 * the invitations sent before (the support desk's rule), so only the newest works. Only for someone who has not
 * associated yet: an invitation to someone who has would move their profile to whichever account opens it.
 */
export async function resendInvitation(
  deps: OurOrganisationDeps,
  holder: AccountHolder,
  profileId: string,
  ip?: string,
  language?: string,
) {
  const person = await forChange(deps, holder, profileId);
  if (await deps.directory.directory.findByProfile(person.id)) {
    throw new AppError(409, 'person_already_associated', `profile ${person.id} is associated`, {
      details: { name: person.displayName },
    });
  }
  await spendInvitation(deps.invitations, holder.organisation.id, person.id);
  return sendInvitation(deps.support, administratorActor(holder, ip), person.id, {
    invitedBy: holder.profile.displayName,
    language,
  });
}

/**
 * "Withdraw the invitation": the person's outstanding links stop working (sent to a wrong address, or to someone who
 * is not joining after all). Recorded with its reference when there was a link to withdraw.
 */
export async function revokeInvitation(
  deps: OurOrganisationDeps,
  holder: AccountHolder,
  profileId: string,
  ip?: string,
): Promise<{ revoked: number; reference?: string }> {
  const person = await forChange(deps, holder, profileId);
  return revokeProfileLinks(deps.support, administratorActor(holder, ip), person.id);
}

import { maskAccount } from '../association/mask.ts';
import { unlinkProfile } from '../association/support-desk.ts';
import { setProfileStatus, updateProfile } from '../directory/manage-profiles.ts';
import type { Profile } from '../directory/model.ts';
import { AppError } from '../shared/errors.ts';
import type { AccountHolder } from './account-holder.ts';
import { administratorActor, forChange, type OurOrganisationDeps } from './our-organisation.ts';

/**
 * "Correct the email" of a professional who has not associated yet (an invitation sent to a mistyped address). The
 * links sent to the old address stop working (the directory's rule for a changed email); a new invitation goes to
 * the new one when asked for. Once someone has associated, the address is what proved who they are, and changing it
 * is for support, who can check with the person.
 */
export async function correctEmail(
  deps: OurOrganisationDeps,
  holder: AccountHolder,
  profileId: string,
  email: string,
  ip?: string,
): Promise<Profile> {
  const person = await forChange(deps, holder, profileId);
  if (person.role !== 'professional' || (await everAssociated(deps, person.id))) {
    throw new AppError(
      409,
      'email_change_needs_support',
      `profile ${person.id} was associated or is an administrator`,
      {
        details: { name: person.displayName },
      },
    );
  }
  return updateProfile(deps.directory, administratorActor(holder, ip), person.id, {
    email,
    displayName: person.displayName,
  });
}

/**
 * Whether the profile has an association, or had one that was removed since. Removing someone's association and then
 * "correcting" their email would let an administrator send the next invitation, and so the person's profile, to an
 * address of their own choosing: once a person has proved their address, only support changes it.
 */
async function everAssociated(deps: OurOrganisationDeps, profileId: string): Promise<boolean> {
  if (await deps.directory.directory.findByProfile(profileId)) return true;
  const [removed] = await deps.directory.audit.query({ profileId, action: 'association.removed', limit: 1 });
  const [created] = removed
    ? [removed]
    : await deps.directory.audit.query({ profileId, action: 'association.created', limit: 1 });
  return created !== undefined;
}

/**
 * Disables or enables someone of the organisation (a disabled person cannot sign in; their tokens stop at their next
 * use). The administrator cannot disable themselves: the organisation would be left with nobody to manage it.
 */
export async function setProfessionalStatus(
  deps: OurOrganisationDeps,
  holder: AccountHolder,
  profileId: string,
  status: Profile['status'],
  ip?: string,
): Promise<Profile> {
  const person = await forChange(deps, holder, profileId);
  if (status === 'disabled' && person.id === holder.profile.id) {
    throw new AppError(409, 'cannot_disable_yourself', `profile ${person.id} is the acting administrator`);
  }
  return setProfileStatus(deps.directory, administratorActor(holder, ip), person.id, status);
}

/**
 * "Remove the association": the person's account no longer signs in as their profile, everyone signed in as it is
 * signed out and their outstanding links stop working (the support desk's unlink). They associate again through a
 * new invitation. `signedOut` says the administrator removed their own, and this session has ended with it.
 */
export async function removeAssociation(
  deps: OurOrganisationDeps,
  holder: AccountHolder,
  profileId: string,
  reason?: string,
  ip?: string,
  language?: string,
): Promise<{ reference: string; signedOut: boolean }> {
  const person = await forChange(deps, holder, profileId);
  // The administrator's own association stays: removing it would leave the organisation with nobody who can sign in
  // to manage it (they hand the role over first, or ask support).
  if (person.id === holder.profile.id) {
    throw new AppError(409, 'cannot_disable_yourself', `profile ${person.id} is the acting administrator`);
  }
  const association = await deps.directory.directory.findByProfile(person.id);
  const { reference } = await unlinkProfile(
    deps.support,
    administratorActor(holder, ip),
    person.id,
    reason?.trim() || 'removed by the organisation administrator',
  );
  // The person is told, as when they remove it themselves: their sign-in account no longer opens the profile.
  if (association) {
    await deps.removalNotice({
      profile: person,
      organisation: holder.organisation,
      account: association.account ?? maskAccount({ subject: association.subject }),
      upstreamName: deps.support.upstreamName(association.upstreamId),
      reference,
      at: deps.directory.clock.now(),
      language,
    });
  }
  return { reference, signedOut: false };
}

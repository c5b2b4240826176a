import { maskAccount, maskEmail } from '../association/mask.ts';
import { updateProfile } from '../directory/manage-profiles.ts';
import { sameIdentity } from '../directory/model.ts';
import { AppError } from '../shared/errors.ts';
import { accountHolder, profileActor } from './account-holder.ts';
import { addressTaken, addressTakenError, unusableChange } from './email-change-refusals.ts';
import { emailChangeReference, emailChangedReference, type EmailChangeDeps } from './email-change.ts';

/**
 * The new mailbox's link was opened: the change is made, once. The link is consumed first, atomically, so of two
 * confirmations at once one changes the profile and the other reads "already used". What the request was checked
 * against is checked again, since a day may have passed: the profile still associated with the account that asked
 * (not unlinked by support, nor disabled), still registered with the old address, and the new one still free in the
 * organisation. Otherwise nothing changes and the person reads why; the consumed link stays spent, and a new request
 * starts from what holds now.
 */
export async function confirmEmailChange(deps: EmailChangeDeps, tokenHash: string, ip?: string, language?: string) {
  const { clock } = deps.directory;
  const triedAt = clock.now();
  const change = await deps.changes.consume(tokenHash, triedAt);
  if (!change) throw unusableChange(await deps.changes.findByTokenHash(tokenHash), triedAt);

  const holder = await accountHolder({ profiles: deps.profiles }, change.profileId);
  if (!holder || !sameIdentity(holder.association, change.requester))
    throw new AppError(410, 'email_change_revoked', `email change ${change.id}: its requester may no longer act`);
  const { profile, organisation, association } = holder;
  if (profile.email !== change.oldEmail)
    throw new AppError(409, 'email_change_outdated', `email change ${change.id}: the registered email changed since`);
  if (await addressTaken(deps.directory.directory, profile, change.newEmail)) throw addressTakenError(organisation);

  // The directory's own use case makes the change (and revokes the links sent to the old address), recorded once,
  // as the profile's act, under the reference the notice quotes and tied to the request the person was mailed.
  const reference = emailChangedReference(change.id);
  const updated = await updateProfile(
    deps.directory,
    profileActor(profile.id, ip),
    profile.id,
    { email: change.newEmail, displayName: profile.displayName },
    { reference, details: { via: 'email_change', request: emailChangeReference(change.id) } },
  ).catch((err: unknown) => {
    // Another profile took the address between the check above and the write: the store's unique index said so.
    if (err instanceof AppError && err.code === 'profile_email_taken') throw addressTakenError(organisation);
    throw err;
  });
  await deps.mail.sendChanged({
    to: change.oldEmail,
    profile: updated,
    organisation,
    newAddress: maskEmail(change.newEmail),
    account: association.account ?? maskAccount({ subject: association.subject }),
    reference,
    at: clock.now(),
    language,
  });
  return { profile: updated, organisation, reference };
}

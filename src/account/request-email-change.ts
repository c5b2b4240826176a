import { maskAccount, maskEmail } from '../association/mask.ts';
import { registeredEmail } from '../directory/email-address.ts';
import { AppError, RateLimitedError } from '../shared/errors.ts';
import { profileActor, type AccountHolder } from './account-holder.ts';
import { addressTaken, addressTakenError } from './email-change-refusals.ts';
import { emailChangeReference, newEmailChange, type EmailChangeDeps } from './email-change.ts';

/**
 * "Change my registered email": the holder asks for a new address for the profile they are acting as. Nothing changes
 * yet: a link goes to the new address, and only opening it (confirm-email-change.ts) changes the profile, so an
 * address nobody controls, or someone else's, is never registered. A newer request supersedes the pending one.
 */
export async function requestEmailChange(
  deps: EmailChangeDeps,
  holder: AccountHolder,
  address: string,
  ip?: string,
  language?: string,
) {
  const { profile, organisation, association } = holder;
  const parsed = registeredEmail.safeParse(address);
  if (!parsed.success) throw new AppError(400, 'email_address_invalid', 'the new email is not an email address');
  const newEmail = parsed.data;
  if (newEmail === profile.email)
    throw new AppError(400, 'email_address_unchanged', 'the new email is the registered one');
  // Counted before the directory is asked: each request mails an address of the person's choosing, and answers
  // whether a colleague has that address, so both happen only at this pace.
  const limit = await deps.perProfile.consume(profile.id);
  if (!limit.allowed)
    throw new RateLimitedError('too_many_email_changes', 'email change request limit reached', limit.retryAfterSeconds);
  if (await addressTaken(deps.directory.directory, profile, newEmail)) throw addressTakenError(organisation);

  const now = deps.directory.clock.now();
  const { token, change } = newEmailChange({
    profileId: profile.id,
    organisationId: organisation.id,
    oldEmail: profile.email,
    newEmail,
    requester: association,
    createdAt: now,
    ttlSeconds: deps.ttlSeconds,
  });
  const reference = emailChangeReference(change.id);
  const who = profileActor(profile.id, ip);
  const account = association.account ?? maskAccount({ subject: association.subject });
  await deps.changes.issue(change);
  await deps.directory.audit.record({
    id: reference,
    at: now,
    action: 'profile.email_change_requested',
    outcome: 'success',
    actor: who.actor,
    ip: who.ip,
    organisationId: organisation.id,
    profileId: profile.id,
    // The request's id and the masked address, never the token: support finds the request, nobody the link.
    details: { change: change.id, to: maskEmail(newEmail), expiresAt: change.expiresAt.toISOString() },
  });
  await deps.mail.sendConfirmation({
    to: newEmail,
    profile,
    organisation,
    oldAddress: maskEmail(profile.email),
    account,
    url: deps.confirmUrl(token),
    expiresAt: change.expiresAt,
    reference,
    language,
  });
  return { reference, email: newEmail, expiresAt: change.expiresAt };
}

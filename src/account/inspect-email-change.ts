import { AppError } from '../shared/errors.ts';
import { unusableChange } from './email-change-refusals.ts';
import { emailChangeState, type EmailChangeDeps } from './email-change.ts';

/**
 * What a confirmation link would change, read without changing anything: mail scanners open links, so the link's
 * page only shows this and a button, and only the button's POST confirms (confirm-email-change.ts). A link that can
 * no longer be used is refused here already, with the same answer the confirmation would give.
 */
export async function inspectEmailChange(deps: EmailChangeDeps, tokenHash: string) {
  const now = deps.directory.clock.now();
  const change = await deps.changes.findByTokenHash(tokenHash);
  if (!change || emailChangeState(change, now) !== 'pending') throw unusableChange(change, now);
  const profile = await deps.directory.directory.getProfile(change.profileId);
  const organisation = profile && (await deps.directory.directory.getOrganisation(profile.organisationId));
  if (!profile || !organisation)
    throw new AppError(410, 'email_change_revoked', `email change ${change.id}: its profile is gone`);
  return {
    newEmail: change.newEmail,
    expiresAt: change.expiresAt,
    profile: { displayName: profile.displayName },
    organisation: { name: organisation.name, accountNumber: organisation.accountNumber },
  };
}

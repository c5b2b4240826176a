import { maskAccount } from '../association/mask.ts';
import { unlinkProfile, type SupportDeskDeps } from '../association/support-desk.ts';
import type { AssociationMail } from '../association/association-mail.ts';
import { organisationOf, profileOf } from '../directory/manage-directory.ts';
import { sameIdentity } from '../directory/model.ts';
import { AppError } from '../shared/errors.ts';
import { profileActor, type AccountHolder } from './account-holder.ts';

export interface RemoveProfileDeps {
  support: SupportDeskDeps;
  mail: Pick<AssociationMail, 'sendRemoved'>;
}

/**
 * "Remove this profile from my account": the association goes as an unlink by support does (sessions, grants and
 * outstanding links of the profile revoked), recorded with the person as actor, and the registered address is told.
 * Only a profile associated with the holder's own upstream account can be removed; any other is "not found", so
 * nobody learns from the answer which profiles exist or whose they are.
 */
export async function removeProfileFromAccount(
  deps: RemoveProfileDeps,
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
  const organisation = await organisationOf(deps.support, profile.organisationId);
  const { reference } = await unlinkProfile(
    deps.support,
    profileActor(holder.profile.id, ip),
    profileId,
    'removed by the account holder',
  );
  await deps.mail.sendRemoved({
    profile,
    organisation,
    account: association.account ?? maskAccount({ subject: association.subject }),
    upstreamName: deps.support.upstreamName(association.upstreamId),
    reference,
    at: deps.support.clock.now(),
    language,
  });
  return { reference, signedOut: profileId === holder.profile.id };
}

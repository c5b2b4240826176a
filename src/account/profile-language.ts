import { setProfileLocale } from '../directory/manage-profiles.ts';
import type { ManageDirectoryDeps } from '../directory/manage-directory.ts';
import { sameIdentity } from '../directory/model.ts';
import { AppError } from '../shared/errors.ts';
import { profileActor, type AccountHolder } from './account-holder.ts';

/**
 * "The language of my emails": a person sets the language the broker writes to one of their profiles in (null: none,
 * so the language of the page that caused an email, else the default). Only a profile of the holder's own account;
 * any other, an organisation administrator's colleagues included, is "not found", as for removing one. Recorded as
 * the directory records every change of a profile (`profile.updated`, the field named), with the holder as actor.
 */
export async function setMyLanguage(
  deps: ManageDirectoryDeps,
  holder: AccountHolder,
  profileId: string,
  locale: string | null,
  ip?: string,
) {
  const association = await deps.directory.findByProfile(profileId);
  if (!association || !sameIdentity(association, holder.association)) {
    throw new AppError(404, 'profile_not_in_account', `profile ${profileId} is not associated with this account`);
  }
  return setProfileLocale(deps, profileActor(holder.profile.id, ip), profileId, locale);
}

import { designateAdministrator } from '../directory/manage-profiles.ts';
import { AppError } from '../shared/errors.ts';
import type { AccountHolder } from './account-holder.ts';
import { administratorActor, forChange, type OurOrganisationDeps } from './our-organisation.ts';

/**
 * "Hand over the administrator role" to an active person of the organisation: they become its administrator and the
 * holder a professional, in the one step the support desk's designation takes (the store demotes before it promotes,
 * so there are never two, and its outbox emails both people with the change's reference). A disabled person is
 * refused by the designation and nothing changes, as is someone who has not associated an account yet. Handing the role
 * to oneself changes nothing and has no reference.
 */
export async function handOverAdministrator(
  deps: OurOrganisationDeps,
  holder: AccountHolder,
  profileId: string,
  ip?: string,
  language?: string,
) {
  const person = await forChange(deps, holder, profileId);
  // The new administrator must be able to sign in now: handing the role to someone not associated (yet) would leave
  // the organisation with nobody to manage it until they do, or for good if the address was wrong.
  if (
    person.status === 'active' &&
    person.id !== holder.profile.id &&
    !(await deps.directory.directory.findByProfile(person.id))
  ) {
    throw new AppError(409, 'administrator_not_associated', `profile ${person.id} is not associated`, {
      details: { name: person.displayName },
    });
  }
  return designateAdministrator(
    deps.directory,
    administratorActor(holder, ip),
    holder.organisation.id,
    person.id,
    'handed over by the administrator',
    language,
  );
}

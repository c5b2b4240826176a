import type { AccountHolder } from './account-holder.ts';
import { personFrom, type Person } from './organisation-people.ts';
import { personOf, requireAdministrator, type OurOrganisationDeps } from './our-organisation.ts';

/**
 * One person of the holder's organisation, as the list shows them: what a page about that person (its actions, a
 * confirmation naming them) starts from. Only the administrator may look, and another organisation's person is the
 * same 404 as one that does not exist, as for every operation on a person.
 */
export async function showPerson(deps: OurOrganisationDeps, holder: AccountHolder, profileId: string): Promise<Person> {
  requireAdministrator(holder);
  return personFrom(deps, await personOf(deps, holder, profileId));
}

import type { Organisation } from '../directory/model.ts';
import { AppError } from '../shared/errors.ts';
import type { AccountHolder } from './account-holder.ts';
import { requireAdministrator, requireChangesAllowed, type OurOrganisationDeps } from './our-organisation.ts';

export interface OrganisationStanding {
  organisation: Organisation;
  /**
   * Why its people cannot be changed now (organisation_read_only, with the contract's end and the account number),
   * or undefined when they can: the refusal every change would meet, so that pages offer no change that would fail.
   */
  readOnly?: AppError;
}

/**
 * The holder's organisation as its administrator sees it before choosing anything: whether changes are allowed,
 * asked of the same rule every change asks. Anyone but the administrator is refused, as for the operations.
 */
export function organisationStanding(deps: OurOrganisationDeps, holder: AccountHolder): OrganisationStanding {
  requireAdministrator(holder);
  try {
    requireChangesAllowed(deps, holder);
    return { organisation: holder.organisation };
  } catch (err) {
    if (err instanceof AppError && err.code === 'organisation_read_only')
      return { organisation: holder.organisation, readOnly: err };
    throw err;
  }
}

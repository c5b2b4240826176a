import type { AdminActor } from '../clients/admin-scopes.ts';
import type { AssociationMail } from '../association/association-mail.ts';
import type { SupportDeskDeps } from '../association/support-desk.ts';
import { contractActive } from '../directory/eligibility.ts';
import type { ImportDeps } from '../directory/import-directory.ts';
import type { ManageDirectoryDeps } from '../directory/manage-directory.ts';
import type { Profile } from '../directory/model.ts';
import { AppError } from '../shared/errors.ts';
import { profileActor, type AccountHolder } from './account-holder.ts';
import type { InvitationLimits } from './invitation-limits.ts';

/*
 * "Our organisation": what an organisation's administrator may do for their own organisation through self-service.
 * Each operation is the administration use case the admin API runs (the directory's, the support desk's, the import),
 * called with the administrator as actor; what this folder adds are the rules of acting for one's own organisation,
 * kept here so that every operation asks them the same way.
 */

/**
 * What the operations run on: the same dependencies the admin API's use cases are bound to, so that a rule is kept
 * once, whichever door the change comes through.
 */
export interface OurOrganisationDeps {
  /** The directory's administration (profiles, designation of the administrator): `AdminDeps.directory`. */
  directory: ManageDirectoryDeps;
  /** Invitations, links and unlinking: `AdminDeps.support`. */
  support: SupportDeskDeps;
  /** The bulk import's rules, for several professionals at once: `AdminDeps.imports`. */
  imports: ImportDeps;
  /** Tells a person whose association an administrator removed (the notice a self-removal sends). */
  removalNotice: AssociationMail['sendRemoved'];
  /** Budgets of the invitations self-service sends. */
  invitations: InvitationLimits;
}

/** Only the administrator acts for the organisation; anyone else of it is told whom to ask. */
export function requireAdministrator(holder: AccountHolder): void {
  if (holder.profile.role !== 'administrator') {
    throw new AppError(
      403,
      'not_organisation_administrator',
      `profile ${holder.profile.id} is not the administrator of ${holder.organisation.id}`,
    );
  }
}

/**
 * An organisation without an active service contract keeps its people as they are: they can be looked at, not
 * changed, until the contract is renewed with support. The message says why (which day it ended, or that there is
 * none), so the administrator knows what to ask for.
 */
export function requireChangesAllowed(deps: OurOrganisationDeps, holder: AccountHolder): void {
  const { organisation } = holder;
  if (contractActive(organisation, deps.directory.clock.now())) return;
  throw new AppError(
    403,
    'organisation_read_only',
    `organisation ${organisation.id} has ${organisation.contractEndsOn ? `a contract that ended on ${organisation.contractEndsOn}` : 'no contract'}`,
    {
      details: {
        accountNumber: organisation.accountNumber,
        ...(organisation.contractEndsOn ? { contractEndedOn: organisation.contractEndsOn } : {}),
      },
    },
  );
}

/**
 * A profile of the holder's organisation, by id. One of another organisation is refused exactly as one that does not
 * exist (same status, code, message and details), so that trying ids tells an administrator nothing about other
 * organisations. Every operation on a person goes through here before anything else reads or changes it.
 */
export async function personOf(deps: OurOrganisationDeps, holder: AccountHolder, profileId: string): Promise<Profile> {
  const profile = await deps.directory.directory.getProfile(profileId);
  if (profile && profile.organisationId === holder.organisation.id) return profile;
  throw new AppError(404, 'person_not_found', `no profile ${profileId} in organisation ${holder.organisation.id}`, {
    details: { id: profileId },
  });
}

/** The checks every change makes, in this order: who acts, whether the organisation may change, on whom. */
export async function forChange(deps: OurOrganisationDeps, holder: AccountHolder, profileId: string): Promise<Profile> {
  requireAdministrator(holder);
  requireChangesAllowed(deps, holder);
  return personOf(deps, holder, profileId);
}

/** The administrator as the audit log records them: `profile:<id>`, from the request's address when there is one. */
export const administratorActor = (holder: AccountHolder, ip?: string): AdminActor =>
  profileActor(holder.profile.id, ip);

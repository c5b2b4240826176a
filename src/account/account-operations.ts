import { accountHolder } from './account-holder.ts';
import { accountOverview, type AccountOverviewDeps } from './account-overview.ts';
import { addProfessional, addProfessionals } from './add-professionals.ts';
import { confirmEmailChange } from './confirm-email-change.ts';
import type { EmailChangeDeps } from './email-change.ts';
import { handOverAdministrator } from './hand-over-administrator.ts';
import { inspectEmailChange } from './inspect-email-change.ts';
import { resendInvitation, revokeInvitation } from './invitations.ts';
import { showPerson } from './organisation-person.ts';
import { listPeople } from './organisation-people.ts';
import { organisationStanding } from './organisation-standing.ts';
import type { OurOrganisationDeps } from './our-organisation.ts';
import { correctEmail, removeAssociation, setProfessionalStatus } from './professional-changes.ts';
import { setMyLanguage } from './profile-language.ts';
import { reinviteProfile } from './reinvite.ts';
import { removeProfileFromAccount, type RemoveProfileDeps } from './remove-profile.ts';
import { requestEmailChange } from './request-email-change.ts';
import { endAllMySessions, endMySession, listMySessions, type MySessionsDeps } from './my-sessions.ts';

/** What the self-service use cases need; the composition root makes it once. */
export interface AccountDeps {
  holder: Parameters<typeof accountHolder>[0];
  overview: AccountOverviewDeps;
  removal: RemoveProfileDeps;
  organisation: OurOrganisationDeps;
  emailChange: EmailChangeDeps;
  sessions: MySessionsDeps;
}

/** A use case with its dependencies given: the caller passes the rest (the holder first, and on what). */
const bind =
  <D, A extends unknown[], R>(useCase: (deps: D, ...args: A) => R, deps: D) =>
  (...args: A): R =>
    useCase(deps, ...args);

/**
 * The self-service use cases, bound to their dependencies once. The account console's pages and the account API call
 * these, the same functions behind both, each starting from the holder the session or token stands for; the
 * organisation's operations are the administration use cases the admin API runs, behind an administrator's rules.
 */
export function bindAccountOperations(deps: AccountDeps) {
  return {
    holderOf: bind(accountHolder, deps.holder),
    overview: bind(accountOverview, deps.overview),
    removeProfile: bind(removeProfileFromAccount, deps.removal),
    // The support desk's invitation, with what removing a profile already has: the support desk's dependencies.
    reinvite: bind(reinviteProfile, { support: deps.removal.support, invitations: deps.organisation.invitations }),
    // The directory's own change of a profile, for a profile of the holder's account.
    setLanguage: bind(setMyLanguage, deps.organisation.directory),
    sessions: {
      list: bind(listMySessions, deps.sessions),
      end: bind(endMySession, deps.sessions),
      endAll: bind(endAllMySessions, deps.sessions),
    },
    email: {
      request: bind(requestEmailChange, deps.emailChange),
      inspect: bind(inspectEmailChange, deps.emailChange),
      confirm: bind(confirmEmailChange, deps.emailChange),
    },
    organisation: {
      standing: bind(organisationStanding, deps.organisation),
      listPeople: bind(listPeople, deps.organisation),
      showPerson: bind(showPerson, deps.organisation),
      addProfessional: bind(addProfessional, deps.organisation),
      addProfessionals: bind(addProfessionals, deps.organisation),
      resendInvitation: bind(resendInvitation, deps.organisation),
      revokeInvitation: bind(revokeInvitation, deps.organisation),
      correctEmail: bind(correctEmail, deps.organisation),
      setStatus: bind(setProfessionalStatus, deps.organisation),
      removeAssociation: bind(removeAssociation, deps.organisation),
      handOverAdministrator: bind(handOverAdministrator, deps.organisation),
    },
  };
}

export type AccountOperations = ReturnType<typeof bindAccountOperations>;

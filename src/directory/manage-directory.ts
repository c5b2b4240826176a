import type { AdminActor } from '../clients/admin-scopes.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Clock } from '../shared/clock.ts';
import type { ErrorCode } from '../shared/error-codes.ts';
import { AppError } from '../shared/errors.ts';
import { newRecordId, referenceCode } from '../shared/ids.ts';
import type { AssociationStore } from './association-store.ts';
import {
  DirectoryConflict,
  type DirectoryAdminStore,
  type OrganisationFilter,
  type PageRequest,
  type ProfileFilter,
} from './directory-admin-store.ts';
import type { DirectoryStore } from './directory-store.ts';
import { deliverAdministratorNotice } from './administrator-notice.ts';
import { mayUseProfile } from './eligibility.ts';
import { normaliseEmail, type Organisation, type Profile, type ProfileRole } from './model.ts';

/** The emails a change of administrator sends (seed FAQ: "contact support" when the administrator has left). */
export interface DirectoryMail {
  administratorChanged(message: {
    organisation: Organisation;
    administrator: Profile;
    previous?: Profile;
    reference: string;
  }): Promise<void>;
}

export interface ManageDirectoryDeps {
  directory: DirectoryStore & DirectoryAdminStore & AssociationStore;
  audit: AuditLog;
  clock: Clock;
  mail: DirectoryMail;
  /** Outstanding association links of a profile stop working (its registered email changed). */
  revokeLinks(profileId: string): Promise<void>;
  /** Emails the profile an association link ("Send Invite E-mail"); the support desk's use case. */
  invite?(who: AdminActor, profileId: string): Promise<unknown>;
}

export type OrganisationInput = Omit<Organisation, 'id' | 'status'> & { id?: string; status?: Organisation['status'] };
export type ProfileInput = {
  id?: string;
  organisationId: string;
  email: string;
  displayName: string;
  role?: ProfileRole;
  status?: Profile['status'];
};

export interface Page<T> {
  items: T[];
  /** Pass as `after` for the next page; absent on the last page. */
  next?: string;
}

// Messages for people live in views/errors/messages/<code>.hbs; these messages are for the log.
const notFound = (what: 'organisation' | 'profile', id: string) =>
  new AppError(404, what === 'organisation' ? 'organisation_not_found' : 'profile_not_found', `no ${what} ${id}`, {
    details: { id },
  });
const conflict = (code: ErrorCode, message: string, details: Record<string, unknown> = {}) =>
  new AppError(409, code, message, { details });

function explain(err: unknown): never {
  if (!(err instanceof DirectoryConflict)) throw err;
  if (err.kind === 'account_number')
    throw conflict('account_number_taken', 'another organisation has this account number');
  if (err.kind === 'profile_email')
    throw conflict('profile_email_taken', 'the organisation has a profile with this email');
  throw conflict('administrator_exists', 'the organisation has an administrator');
}

async function record(
  deps: ManageDirectoryDeps,
  who: AdminActor,
  action: string,
  target: { organisationId?: string; profileId?: string },
  details?: Record<string, string | number | boolean>,
  id = referenceCode(),
) {
  await deps.audit.record({
    id,
    at: deps.clock.now(),
    action,
    outcome: 'success',
    actor: who.actor,
    ip: who.ip,
    ...target,
    ...(details ? { details } : {}),
  });
  return id;
}

const changedFields = <T extends object>(before: T, after: T) =>
  (Object.keys({ ...before, ...after }) as (keyof T)[])
    .filter((k) => before[k] !== after[k])
    .map(String)
    .sort()
    .join(' ');

async function paged<T extends { id: string }>(
  list: (page: PageRequest) => Promise<T[]>,
  page: PageRequest,
): Promise<Page<T>> {
  // One more than asked tells whether there is a next page without a second query.
  const items = await list({ ...page, limit: page.limit + 1 });
  const more = items.length > page.limit;
  const shown = items.slice(0, page.limit);
  return { items: shown, ...(more ? { next: shown[shown.length - 1]!.id } : {}) };
}

export async function organisationOf(deps: { directory: DirectoryStore }, id: string): Promise<Organisation> {
  const organisation = await deps.directory.getOrganisation(id);
  if (!organisation) throw notFound('organisation', id);
  return organisation;
}

export async function profileOf(deps: { directory: DirectoryStore }, id: string): Promise<Profile> {
  const profile = await deps.directory.getProfile(id);
  if (!profile) throw notFound('profile', id);
  return profile;
}

/** The organisation's administrator, if it has one (the store holds at most one). */
async function administratorOf(deps: ManageDirectoryDeps, organisationId: string): Promise<Profile | undefined> {
  const [administrator] = await deps.directory.listProfiles({ organisationId, role: 'administrator' }, { limit: 1 });
  return administrator;
}

export const listOrganisations = (deps: ManageDirectoryDeps, filter: OrganisationFilter, page: PageRequest) =>
  paged((p) => deps.directory.listOrganisations(filter, p), page);

export const listProfiles = (deps: ManageDirectoryDeps, filter: ProfileFilter, page: PageRequest) =>
  paged(
    (p) =>
      deps.directory.listProfiles({ ...filter, ...(filter.email ? { email: normaliseEmail(filter.email) } : {}) }, p),
    page,
  );

/** An organisation with its administrator, as the support desk looks it up. */
export async function getOrganisation(deps: ManageDirectoryDeps, id: string) {
  const organisation = await organisationOf(deps, id);
  const administrator = await administratorOf(deps, id);
  return { ...organisation, administratorId: administrator?.id ?? null };
}

export async function createOrganisation(
  deps: ManageDirectoryDeps,
  who: AdminActor,
  input: OrganisationInput,
): Promise<Organisation> {
  const organisation: Organisation = { ...input, id: input.id ?? newRecordId('org'), status: input.status ?? 'active' };
  if (await deps.directory.getOrganisation(organisation.id))
    throw conflict('organisation_exists', `organisation ${organisation.id} exists`);
  await deps.directory.createOrganisation(organisation).catch(explain);
  await record(
    deps,
    who,
    'organisation.created',
    { organisationId: organisation.id },
    { accountNumber: organisation.accountNumber, kind: organisation.kind },
  );
  return organisation;
}

/** Replaces an organisation's fields (a PUT); its status changes only through setOrganisationStatus. */
export async function updateOrganisation(
  deps: ManageDirectoryDeps,
  who: AdminActor,
  id: string,
  input: Omit<OrganisationInput, 'id' | 'status'>,
): Promise<Organisation> {
  const current = await organisationOf(deps, id);
  const next: Organisation = { ...input, id, status: current.status };
  const { contractEndsOn, ...fields } = input;
  if (
    !(await deps.directory.updateOrganisation(id, { ...fields, contractEndsOn: contractEndsOn ?? null }).catch(explain))
  )
    throw notFound('organisation', id);
  await record(deps, who, 'organisation.updated', { organisationId: id }, { fields: changedFields(current, next) });
  return next;
}

/** A disabled organisation's profiles cannot sign in anywhere (tokens already issued stop at their next use). */
export async function setOrganisationStatus(
  deps: ManageDirectoryDeps,
  who: AdminActor,
  id: string,
  status: Organisation['status'],
  reason?: string,
): Promise<Organisation> {
  const current = await organisationOf(deps, id);
  if (current.status === status) return current;
  const next = { ...current, status };
  if (!(await deps.directory.updateOrganisation(id, { status }).catch(explain))) throw notFound('organisation', id);
  await record(
    deps,
    who,
    status === 'disabled' ? 'organisation.disabled' : 'organisation.enabled',
    { organisationId: id },
    reason ? { reason } : undefined,
  );
  return next;
}

/**
 * Adds a professional ("Add New Professionals"). The first profile added to an organisation without an administrator
 * becomes its administrator (seed FAQ), unless asked for as a professional; asking for a second administrator is
 * refused: the support desk replaces administrators. With `invite`, the person is emailed an association link.
 */
export async function createProfile(
  deps: ManageDirectoryDeps,
  who: AdminActor,
  input: ProfileInput,
  options: { invite?: boolean } = {},
): Promise<Profile> {
  const organisation = await organisationOf(deps, input.organisationId);
  const administrator = await administratorOf(deps, organisation.id);
  if (input.role === 'administrator' && administrator)
    throw conflict('administrator_exists', 'the organisation has an administrator', {
      administratorId: administrator.id,
    });
  const profile: Profile = {
    id: input.id ?? newRecordId('prf'),
    organisationId: organisation.id,
    email: normaliseEmail(input.email),
    displayName: input.displayName,
    role: input.role ?? (administrator ? 'professional' : 'administrator'),
    status: input.status ?? 'active',
  };
  // An invitation goes only to a profile that may be used: refused before anything is written.
  if (options.invite && !mayUseProfile(profile, organisation, undefined, deps.clock.now())) {
    throw conflict('profile_disabled', 'cannot invite a disabled profile or a profile of a disabled organisation');
  }
  if (await deps.directory.getProfile(profile.id)) throw conflict('profile_exists', `profile ${profile.id} exists`);
  await deps.directory.createProfile(profile).catch(explain);
  await record(
    deps,
    who,
    'profile.created',
    { organisationId: organisation.id, profileId: profile.id },
    { role: profile.role },
  );
  if (options.invite && deps.invite) await deps.invite(who, profile.id);
  return profile;
}

/**
 * Replaces a profile's name and registered email (a PUT). Role and status have their own operations. A new email
 * revokes the links sent to the old one: they proved control of an address the profile no longer has.
 */
export async function updateProfile(
  deps: ManageDirectoryDeps,
  who: AdminActor,
  id: string,
  input: { email: string; displayName: string },
): Promise<Profile> {
  const current = await profileOf(deps, id);
  const next: Profile = { ...current, email: normaliseEmail(input.email), displayName: input.displayName };
  if (!(await deps.directory.updateProfile(id, { email: next.email, displayName: next.displayName }).catch(explain)))
    throw notFound('profile', id);
  if (next.email !== current.email) await deps.revokeLinks(id);
  await record(
    deps,
    who,
    'profile.updated',
    { organisationId: current.organisationId, profileId: id },
    { fields: changedFields(current, next) },
  );
  return next;
}

/** A disabled profile cannot sign in or be associated; its tokens stop working at their next use. */
export async function setProfileStatus(
  deps: ManageDirectoryDeps,
  who: AdminActor,
  id: string,
  status: Profile['status'],
  reason?: string,
): Promise<Profile> {
  const current = await profileOf(deps, id);
  if (current.status === status) return current;
  const next = { ...current, status };
  if (!(await deps.directory.updateProfile(id, { status }).catch(explain))) throw notFound('profile', id);
  await record(
    deps,
    who,
    status === 'disabled' ? 'profile.disabled' : 'profile.enabled',
    { organisationId: current.organisationId, profileId: id },
    reason ? { reason } : undefined,
  );
  return next;
}

/**
 * The support desk designates an organisation's administrator, replacing the current one ("if your administrator is
 * no longer with your organisation, contact support"). Both are told by email, with the reference of the change.
 */
export async function designateAdministrator(
  deps: ManageDirectoryDeps,
  who: AdminActor,
  organisationId: string,
  profileId: string,
  reason: string,
) {
  const organisation = await organisationOf(deps, organisationId);
  const profile = await profileOf(deps, profileId);
  if (profile.organisationId !== organisationId)
    throw conflict('profile_not_in_organisation', `profile ${profileId} is not in ${organisationId}`);
  if (profile.status !== 'active') throw conflict('profile_disabled', `profile ${profileId} is disabled`);
  const previous = await administratorOf(deps, organisationId);
  if (previous?.id === profileId)
    return { organisation, administrator: profile, previous: undefined, reference: undefined };
  // The emails are owed from the role's write on, recorded with it; handed to the queue below, or by the relay if
  // this process dies first (administrator-notice.ts).
  const notice = {
    profileId,
    ...(previous ? { previousId: previous.id } : {}),
    reference: referenceCode(),
    at: deps.clock.now(),
  };
  await deps.directory
    .designateAdministrator(profileId, previous?.id, { reference: notice.reference, at: notice.at })
    .catch(explain);
  const reference = await record(
    deps,
    who,
    'organisation.administrator_changed',
    { organisationId, profileId },
    { reason, ...(previous ? { previous: previous.id } : {}) },
    notice.reference,
  );
  await deliverAdministratorNotice(deps, notice);
  const administrator: Profile = { ...profile, role: 'administrator' };
  const demoted = previous && { ...previous, role: 'professional' as const };
  return { organisation, administrator, previous: demoted, reference };
}

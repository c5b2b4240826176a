import type { AdminActor } from '../clients/admin-scopes.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Clock } from '../shared/clock.ts';
import { newRecordId } from '../shared/ids.ts';
import type { AssociationStore } from './association-store.ts';
import {
  type DirectoryAdminStore,
  type OrganisationFilter,
  type PageRequest,
  type ProfileFilter,
} from './directory-admin-store.ts';
import type { DirectoryStore } from './directory-store.ts';
import { normaliseEmail, type Organisation, type Profile, type ProfileRole } from './model.ts';
import { changedFields, conflict, explain, notFound, record } from './directory-changes.ts';

/** The emails a change of administrator sends (seed FAQ: "contact support" when the administrator has left). */
export interface DirectoryMail {
  administratorChanged(message: {
    organisation: Organisation;
    administrator: Profile;
    previous?: Profile;
    reference: string;
    /** The language of the page that caused the change; each recipient's own `locale` comes first. */
    language?: string;
  }): Promise<void>;
}

export interface ManageDirectoryDeps {
  directory: DirectoryStore & DirectoryAdminStore & AssociationStore;
  audit: AuditLog;
  clock: Clock;
  mail: DirectoryMail;
  /** Outstanding association links of a profile stop working (its registered email changed). */
  revokeLinks(profileId: string): Promise<void>;
  /**
   * Signs the profile out of the broker and its portals (back-channel logout): its email changed (whoever signed in
   * proved an address it no longer has), or it was disabled.
   */
  endSignIns?(profileId: string, reason: 'email_changed' | 'profile_disabled', actor: string): Promise<void>;
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
  /** The language of the person's emails (model.ts: LOCALE_TAG); absent or empty, none. */
  locale?: string;
};

export interface Page<T> {
  items: T[];
  /** Pass as `after` for the next page; absent on the last page. */
  next?: string;
}

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
export async function administratorOf(deps: ManageDirectoryDeps, organisationId: string): Promise<Profile | undefined> {
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

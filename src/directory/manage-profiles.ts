import type { AdminActor } from '../clients/admin-scopes.ts';
import { newRecordId, referenceCode } from '../shared/ids.ts';
import { deliverAdministratorNotice } from './administrator-notice.ts';
import { changedFields, conflict, explain, notFound, record } from './directory-changes.ts';
import { mayUseProfile } from './eligibility.ts';
import {
  administratorOf,
  organisationOf,
  profileOf,
  type ManageDirectoryDeps,
  type ProfileInput,
} from './manage-directory.ts';
import { BadRequestError } from '../shared/errors.ts';
import { isLocaleTag, normaliseEmail, normaliseLocale, type Profile } from './model.ts';

/**
 * A language tag as the directory keeps it (normalised case), or undefined for none (null or empty). Every writer's
 * input schema checks the tag; this holds the rule for callers that have none.
 */
function localeOf(locale: string | null | undefined): string | undefined {
  if (!locale) return undefined;
  if (!isLocaleTag(locale))
    throw new BadRequestError('invalid_input', 'malformed profile: locale', { fields: 'locale' });
  return normaliseLocale(locale);
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
  const locale = localeOf(input.locale);
  if (locale) profile.locale = locale;
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
 * Replaces a profile's name and registered email (a PUT), and its language when `locale` is given (null or empty
 * removes it; absent leaves it). Role and status have their own operations. A new email
 * revokes the links sent to the old one: they proved control of an address the profile no longer has. `audit` gives
 * the event a reference the caller chose and facts of its own: a person confirming their new address
 * (account/confirm-email-change.ts) quotes the reference in the notice to the old address, and a retry records once.
 */
export async function updateProfile(
  deps: ManageDirectoryDeps,
  who: AdminActor,
  id: string,
  input: { email: string; displayName: string; locale?: string | null },
  audit: { reference?: string; details?: Record<string, string> } = {},
): Promise<Profile> {
  const current = await profileOf(deps, id);
  const next: Profile = { ...current, email: normaliseEmail(input.email), displayName: input.displayName };
  const locale = input.locale === undefined ? current.locale : localeOf(input.locale);
  if (locale) next.locale = locale;
  else delete next.locale;
  const changes = {
    email: next.email,
    displayName: next.displayName,
    ...(input.locale !== undefined ? { locale: locale ?? null } : {}),
  };
  if (!(await deps.directory.updateProfile(id, changes).catch(explain))) throw notFound('profile', id);
  if (next.email !== current.email) {
    await deps.revokeLinks(id);
    // Changed by someone else (support, an administrator, an operator): whoever is signed in as the profile is signed
    // out, and must sign in again to go on. The person changing their own address stays signed in.
    if (who.actor !== `profile:${id}`) await deps.endSignIns?.(id, 'email_changed', who.actor);
  }
  await record(
    deps,
    who,
    'profile.updated',
    { organisationId: current.organisationId, profileId: id },
    { ...audit.details, fields: changedFields(current, next) },
    audit.reference,
  );
  return next;
}

/**
 * Sets the language a person reads their emails in (null or empty: none, so the page's or the default). A person
 * sets their own on "My account"; nothing is written or recorded when it is already so.
 */
export async function setProfileLocale(
  deps: ManageDirectoryDeps,
  who: AdminActor,
  id: string,
  locale: string | null,
): Promise<Profile> {
  const current = await profileOf(deps, id);
  const wanted = localeOf(locale);
  if ((current.locale ?? undefined) === wanted) return current;
  const next: Profile = { ...current };
  if (wanted) next.locale = wanted;
  else delete next.locale;
  if (!(await deps.directory.updateProfile(id, { locale: wanted ?? null }).catch(explain)))
    throw notFound('profile', id);
  await record(
    deps,
    who,
    'profile.updated',
    { organisationId: current.organisationId, profileId: id },
    { fields: changedFields(current, next) },
  );
  return next;
}

/**
 * A disabled profile cannot sign in or be associated: it is signed out of the broker and its portals, and its tokens
 * stop working.
 */
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
  if (status === 'disabled') await deps.endSignIns?.(id, 'profile_disabled', who.actor);
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
  /** The asking page's language, for the emails to whoever has no `locale` of their own. */
  language?: string,
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
  await deliverAdministratorNotice(deps, notice, language);
  const administrator: Profile = { ...profile, role: 'administrator' };
  const demoted = previous && { ...previous, role: 'professional' as const };
  return { organisation, administrator, previous: demoted, reference };
}

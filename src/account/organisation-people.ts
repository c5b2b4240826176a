import { listProfileLinks } from '../association/support-desk.ts';
import type { PageRequest } from '../directory/directory-admin-store.ts';
import { listProfiles, type Page } from '../directory/manage-directory.ts';
import type { Profile, ProfileRole } from '../directory/model.ts';
import { mapLimited } from '../shared/map-limited.ts';
import type { AccountHolder } from './account-holder.ts';
import { requireAdministrator, type OurOrganisationDeps } from './our-organisation.ts';

/**
 * Where a person of the organisation stands: `disabled` (whatever else holds, they cannot sign in), `associated` (they
 * sign in with their own account), `invited` (an association link is out for them: sent, queued, undeliverable or
 * expired unused) or `not_invited` (no link, or the last one was revoked or used and the association removed since).
 */
export const PERSON_STATUSES = ['associated', 'invited', 'not_invited', 'disabled'] as const;
export type PersonStatus = (typeof PERSON_STATUSES)[number];

/** A link as the support desk reads it (its status says how far its email got). */
export type LinkView = Awaited<ReturnType<typeof listProfileLinks>>[number];

export interface Person {
  id: string;
  displayName: string;
  /** The registered email, where invitations go. */
  email: string;
  role: ProfileRole;
  status: PersonStatus;
  /** When they associated their account (also shown for a disabled person who had). */
  associatedAt?: Date;
  /** When `invited`: the newest link, with its status and its email's delivery (`sent`, `delivery_failed`, …). */
  invitation?: LinkView;
}

export interface PeopleFilter {
  status?: PersonStatus;
  /** Case-insensitive: part of the name or of the registered email. */
  q?: string;
}

/** Profiles read from the directory at a time while looking for a page's worth of matches. */
const SCAN_BATCH = 100;
/** Association and link lookups in flight at once for one batch. */
const LOOKUPS = 8;

/** Links whose state means none is out for the person any more. */
const CLOSED: readonly LinkView['status'][] = ['revoked', 'used'];

/** Where one profile of the organisation stands now (its status worked out from its association and links). */
export async function personFrom(deps: OurOrganisationDeps, profile: Profile): Promise<Person> {
  const base = {
    id: profile.id,
    displayName: profile.displayName,
    email: profile.email,
    role: profile.role,
  };
  const association = await deps.directory.directory.findByProfile(profile.id);
  const associatedAt = association ? { associatedAt: association.associatedAt } : {};
  if (profile.status === 'disabled') return { ...base, status: 'disabled', ...associatedAt };
  if (association) return { ...base, status: 'associated', ...associatedAt };
  const [newest] = await listProfileLinks(deps.support, profile.id);
  if (!newest || CLOSED.includes(newest.status)) return { ...base, status: 'not_invited' };
  return { ...base, status: 'invited', invitation: newest };
}

const matches = (profile: Profile, q: string | undefined) =>
  !q || profile.displayName.toLowerCase().includes(q) || profile.email.includes(q);

/**
 * The people of the holder's organisation, in id order, a page at a time and with no cap on how many pages: each with
 * name, registered email, role and status, and when they associated or where their invitation is.
 *
 * Paging is the directory's keyset paging on the profile id. Only `disabled` is stored; the other statuses and the
 * name-or-email search are worked out here, so a page is filled by reading the organisation's profiles in id order,
 * in batches, from the caller's `after` on, keeping those that match, until one more than the page holds has been
 * found (or the profiles run out). `next` is the id of the last person on the page, not of the last profile read:
 * the next page reads on from just after that person, so it neither skips a match read but not shown nor repeats
 * one shown. A person whose status changes between two pages shows where their new status puts them, at most once.
 */
export async function listPeople(
  deps: OurOrganisationDeps,
  holder: AccountHolder,
  filter: PeopleFilter,
  page: PageRequest,
): Promise<Page<Person>> {
  requireAdministrator(holder);
  const q = filter.q?.trim().toLowerCase() || undefined;
  // The one status the store holds is asked of it; every other status is of an active profile.
  const stored: { status?: Profile['status'] } =
    filter.status === undefined ? {} : { status: filter.status === 'disabled' ? 'disabled' : 'active' };
  const limit = Math.max(1, page.limit);
  const found: Person[] = [];
  let after = page.after;
  for (;;) {
    const batch = await listProfiles(
      deps.directory,
      { organisationId: holder.organisation.id, ...stored },
      { limit: SCAN_BATCH, ...(after !== undefined ? { after } : {}) },
    );
    const candidates = batch.items.filter((profile) => matches(profile, q));
    const people = await mapLimited(candidates, LOOKUPS, (profile) => personFrom(deps, profile));
    for (const person of people) {
      if (filter.status && person.status !== filter.status) continue;
      found.push(person);
      if (found.length > limit) break;
    }
    if (found.length > limit || !batch.next) break;
    after = batch.next;
  }
  const items = found.slice(0, limit);
  return { items, ...(found.length > limit ? { next: items[items.length - 1]!.id } : {}) };
}

import { z } from 'zod';
import { PERSON_STATUSES } from '../../account/organisation-people.ts';
import { parseInput } from '../../shared/parse-input.ts';
import type { ConsolePages } from './account-console.ts';
import { addingPages } from './account-organisation-adding.ts';
import { personChangePages } from './account-organisation-changes.ts';
import { personView, profileIdOf, signedInHolder, standingView } from './account-organisation-view.ts';

/** People a page of the list shows; "Next page" goes on from the last of them, for as many pages as there are. */
const PAGE_SIZE = 25;

/** The list's GET form: an empty field is no filter (what a browser sends for an untouched select or search). */
const listQuery = z.object({
  status: z.union([z.enum(PERSON_STATUSES), z.literal('')]).optional(),
  q: z.string().max(200).optional(),
  after: z.string().max(200).optional(),
});

/** The status filter's choices, each with the catalogue key of its words. */
const STATUS_CHOICES = [
  { value: '', label: 'organisation.filter.everyone' },
  { value: 'associated', label: 'organisation.filter.associated' },
  { value: 'invited', label: 'organisation.filter.invited' },
  { value: 'not_invited', label: 'organisation.filter.notInvited' },
  { value: 'disabled', label: 'organisation.filter.disabled' },
] as const satisfies readonly { value: (typeof PERSON_STATUSES)[number] | ''; label: string }[];

/**
 * "Our organisation" in the account console, for the organisation's administrator: its people by status with a
 * search, each person's page with the changes that fit them, and adding professionals. Everyone else of the
 * organisation gets the use cases' 403 page; an organisation without an active contract is shown, not changed.
 */
export const organisationPages: ConsolePages = (router, kit) => {
  router.get('/organisation', async (ctx) => {
    const signed = await signedInHolder(kit, ctx);
    if (!signed) return;
    const { holder } = signed;
    const query = parseInput(listQuery, ctx.query, 'query');
    const standing = kit.account.organisation.standing(holder);
    const filter = { ...(query.status ? { status: query.status } : {}), ...(query.q?.trim() ? { q: query.q } : {}) };
    const page = await kit.account.organisation.listPeople(holder, filter, {
      limit: PAGE_SIZE,
      ...(query.after ? { after: query.after } : {}),
    });
    const link = (after: string | undefined) =>
      `/account/organisation?${new URLSearchParams({
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.q ? { q: filter.q } : {}),
        ...(after ? { after } : {}),
      }).toString()}`;
    kit.page(ctx, 'organisation/people', {
      title: kit.t(ctx, 'organisation.people.title', { organisation: holder.organisation.name }),
      ...standingView(standing),
      people: page.items.map((person) => personView(person, holder, standing)),
      filtered: Boolean(filter.status || filter.q),
      q: query.q ?? '',
      statuses: STATUS_CHOICES.map((choice) => ({ ...choice, selected: choice.value === (query.status ?? '') })),
      next: page.next && link(page.next),
      first: query.after ? link(undefined) : undefined,
    });
  });

  router.get('/organisation/people/:profileId', async (ctx) => {
    const profileId = profileIdOf(ctx);
    const signed = await signedInHolder(kit, ctx);
    if (!signed) return;
    const { current, holder } = signed;
    const standing = kit.account.organisation.standing(holder);
    const person = await kit.account.organisation.showPerson(holder, profileId);
    kit.page(ctx, 'organisation/person', {
      title: kit.t(ctx, 'organisation.person.title', { name: person.displayName }),
      ...standingView(standing),
      person: personView(person, holder, standing),
      csrf: kit.csrfToken(current),
    });
  });

  addingPages(router, kit);
  personChangePages(router, kit);
};

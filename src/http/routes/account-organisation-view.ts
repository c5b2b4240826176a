import type { Context } from 'koa';
import { z } from 'zod';
import type { AccountHolder } from '../../account/account-holder.ts';
import type { Person } from '../../account/organisation-people.ts';
import type { OrganisationStanding } from '../../account/organisation-standing.ts';
import { parseInput } from '../../shared/parse-input.ts';
import type { ConsoleKit, CurrentSession } from './account-console.ts';

/*
 * What the "Our organisation" pages share: who is signed in, the person a URL names, and how a person and the
 * organisation's standing are shown. Which changes a page offers follows the person's status, for a page that offers
 * nothing bound to fail; whether a change is allowed is decided by its use case, which refuses whatever gets through.
 */

const personPath = z.object({ profileId: z.string().min(1).max(200) });

/** The profile id a URL names (a 400 page for one no profile could have). */
export const profileIdOf = (ctx: Context): string => parseInput(personPath, ctx.params, 'path').profileId;

/** The signed-in holder, or undefined once the browser was sent to sign in. */
export async function signedInHolder(
  kit: ConsoleKit,
  ctx: Context,
): Promise<{ current: CurrentSession; holder: AccountHolder } | undefined> {
  const { current, holder } = await kit.signedIn(ctx);
  if (holder) return { current, holder };
  ctx.redirect('/account/sign-in');
  return undefined;
}

/** The organisation and, when it cannot change, the refusal's facts for the notice that says why. */
export const standingView = ({ organisation, readOnly }: OrganisationStanding) => ({
  organisation: { name: organisation.name, accountNumber: organisation.accountNumber },
  readOnly: readOnly && {
    contractEndedOn: dayOf(readOnly.details.contractEndedOn),
    accountNumber: organisation.accountNumber,
  },
});

/** The moment, or undefined for none; an association loaded with the directory carries the epoch (valid for any sign-in). */
const day = (date: Date | undefined) => (date && date.getTime() !== 0 ? date : undefined);

/** A day or moment as the records hold it ("2025-06-30", an ISO timestamp), as a Date for the catalogue to print. */
const dayOf = (text: unknown) => (typeof text === 'string' && text ? new Date(text) : undefined);

/** A person as the pages show them, and the changes that fit where they stand (none in a read-only organisation). */
export function personView(person: Person, holder: AccountHolder, standing: OrganisationStanding) {
  const self = person.id === holder.profile.id;
  const associated = person.status === 'associated';
  const disabled = person.status === 'disabled';
  const changes = !standing.readOnly;
  return {
    id: person.id,
    name: person.displayName,
    email: person.email,
    role: person.role,
    status: person.status,
    self,
    associatedOn: day(person.associatedAt),
    invitation: person.invitation && {
      status: person.invitation.status,
      sentOn: new Date(person.invitation.created_at),
      expiresOn: new Date(person.invitation.expires_at),
      reference: person.invitation.reference,
    },
    offers: changes && {
      invite: !disabled && !associated,
      resend: person.status === 'invited',
      revoke: person.status === 'invited',
      correctEmail: !associated && person.associatedAt === undefined && person.role === 'professional',
      disable: !disabled && !self,
      enable: disabled,
      remove: person.associatedAt !== undefined && !self,
      handOver: !disabled && !self,
    },
  };
}

import { z } from 'zod';
import { PERSON_STATUSES } from '../../account/organisation-people.ts';
import { RECORD_STATUSES } from '../../directory/model.ts';
import { nameText } from '../../directory/name-text.ts';
import { accountRoute } from '../account-route.ts';
import { emailInput, trimmedText } from './admin-inputs.ts';
import {
  addedRecord,
  addReport,
  addReportView,
  associationRemovalRecord,
  handOverRecord,
  invitationRecord,
  memberRecord,
  memberView,
  peoplePage,
  personView,
  revocationRecord,
} from './account-organisation-records.ts';

/*
 * "Our organisation": what an organisation's administrator does for their own organisation, the operations the
 * console's organisation pages run too. The use cases refuse anyone else (403 not_organisation_administrator), a
 * person of another organisation (404 person_not_found, as for one that does not exist) and every change while the
 * organisation has no active contract (403 organisation_read_only); these routes only translate.
 */

const person = z.strictObject({
  profileId: z
    .string()
    .min(1)
    .max(200)
    .meta({ description: 'A profile id of your organisation', examples: ['prf-erin-contoso'] }),
});

const NOT_ADMINISTRATOR = 'not_organisation_administrator: the token is not the organisation administrator’s';
const READ_ONLY =
  "not_organisation_administrator, or organisation_read_only: the organisation's contract has ended (or there is none), so its people can be seen, not changed";
const NO_SUCH_PERSON = 'person_not_found: no such person in your organisation (the same for another organisation’s)';

const peopleQuery = z.strictObject({
  status: z.enum(PERSON_STATUSES).optional().meta({ description: 'Only people with this status' }),
  q: z
    .string()
    .max(200)
    .optional()
    .meta({ description: 'Part of the name or of the registered email, in any case', examples: ['evans'] }),
  limit: z.coerce.number().int().min(1).max(100).default(25).meta({ description: 'People per page' }),
  after: z.string().min(1).max(200).optional().meta({ description: 'The `next` of the previous page' }),
});

const newProfessional = z.strictObject({ display_name: nameText(200), email: emailInput }).meta({
  id: 'NewProfessional',
  examples: [{ display_name: 'Harry Hughes', email: 'harry.hughes@contoso.example' }],
});
const batch = z
  .strictObject({
    lines: z.string().max(60_000).meta({
      description:
        'Pasted lines, one person a line: their name, a comma and their email address (CSV quoting allowed; a header line "display_name,email" is skipped)',
    }),
    dry_run: z.boolean().default(true).meta({ description: 'Report what would happen without adding anyone' }),
  })
  .meta({
    id: 'AddProfessionals',
    examples: [
      { lines: 'Harry Hughes,harry.hughes@contoso.example\nIda Ingram,ida.ingram@contoso.example', dry_run: true },
    ],
  });
const emailCorrection = z
  .strictObject({ email: emailInput })
  .meta({ id: 'EmailCorrection', examples: [{ email: 'erin.evans@contoso.example' }] });
const statusChange = z
  .strictObject({ status: z.enum(RECORD_STATUSES) })
  .meta({ id: 'StatusChange', examples: [{ status: 'disabled' }] });
const removalQuery = z.strictObject({
  reason: trimmedText(500)
    .optional()
    .meta({ description: 'Recorded in the audit log', examples: ['left the organisation'] }),
});
const handOver = z
  .strictObject({ profile_id: person.shape.profileId })
  .meta({ id: 'AdministratorChoice', examples: [{ profile_id: 'prf-erin-contoso' }] });

export const organisationRoutes = [
  accountRoute({
    operationId: 'listPeople',
    method: 'get',
    path: '/organisation/people',
    access: 'administrator',
    summary: "The organisation's people, with their status",
    description:
      'Everyone of the organisation in id order, a page at a time (no cap on how many pages): name, registered email, role, status, and when they associated or where their invitation is. Also for an organisation without an active contract.',
    request: { query: peopleQuery },
    refusals: { 403: NOT_ADMINISTRATOR },
    response: { status: 200, description: 'A page of people', schema: peoplePage },
    handle: async ({ holder, query: { limit, after, status, q } }, account) => {
      const page = await account.organisation.listPeople(
        holder,
        { ...(status ? { status } : {}), ...(q ? { q } : {}) },
        { limit, ...(after ? { after } : {}) },
      );
      return { people: page.items.map(personView), next: page.next ?? null };
    },
  }),
  accountRoute({
    operationId: 'addProfessional',
    method: 'post',
    path: '/organisation/people',
    access: 'administrator',
    summary: 'Add a professional and invite them',
    description:
      'A new professional of the organisation, emailed an association link naming the organisation and the administrator who added them.',
    request: { body: newProfessional, bodyIs: 'professional' },
    refusals: { 403: READ_ONLY, 409: 'profile_email_taken: someone of the organisation already has this email' },
    response: { status: 201, description: 'Added, and the invitation queued for delivery', schema: addedRecord },
    handle: async ({ holder, body, ip, language }, account) => {
      const { profile, invitation } = await account.organisation.addProfessional(
        holder,
        { displayName: body.display_name, email: body.email },
        ip,
        language,
      );
      return { profile: memberView(profile), invitation };
    },
  }),
  accountRoute({
    operationId: 'addProfessionals',
    method: 'post',
    path: '/organisation/people/batch',
    access: 'administrator',
    summary: 'Add several professionals from pasted lines (dry run first)',
    description:
      'Each line is judged on its own through the directory import’s rules: a bad line, or an email someone of the organisation already has, is rejected with its reason and changes nothing of the others. With `dry_run` (the default) nothing is written or sent; otherwise each person added is emailed an invitation, noted on their line.',
    request: { body: batch, bodyIs: 'lines' },
    refusals: { 400: 'invalid_input, or import_unreadable: the lines cannot be read at all', 403: READ_ONLY },
    response: { status: 200, description: 'What happened (or would happen) to each line', schema: addReport },
    handle: async ({ holder, body, ip, language }, account) =>
      addReportView(
        await account.organisation.addProfessionals(holder, body.lines, { dryRun: body.dry_run, language }, ip),
      ),
  }),
  accountRoute({
    operationId: 'resendInvitation',
    method: 'post',
    path: '/organisation/people/{profileId}/invitation',
    access: 'administrator',
    summary: 'Send the person a new invitation; it supersedes the ones sent before',
    request: { params: person },
    refusals: {
      403: READ_ONLY,
      404: NO_SUCH_PERSON,
      409: 'person_already_associated, or profile_disabled',
    },
    response: { status: 201, description: 'Sent (queued for delivery)', schema: invitationRecord },
    handle: ({ holder, params, ip, language }, account) =>
      account.organisation.resendInvitation(holder, params.profileId, ip, language),
  }),
  accountRoute({
    operationId: 'revokeInvitation',
    method: 'delete',
    path: '/organisation/people/{profileId}/invitation',
    access: 'administrator',
    summary: "Withdraw the person's outstanding invitation",
    request: { params: person },
    refusals: { 403: READ_ONLY, 404: NO_SUCH_PERSON },
    response: { status: 200, description: 'Withdrawn (or nothing to withdraw)', schema: revocationRecord },
    handle: async ({ holder, params, ip }, account) => {
      const { revoked, reference } = await account.organisation.revokeInvitation(holder, params.profileId, ip);
      return { revoked, reference: reference ?? null };
    },
  }),
  accountRoute({
    operationId: 'correctEmail',
    method: 'put',
    path: '/organisation/people/{profileId}/email',
    access: 'administrator',
    summary: 'Correct the registered email of a professional who has not associated yet',
    description:
      'The links sent to the old address stop working; send a new invitation to the corrected one. Once someone has associated, or for the administrator, the address is changed by support.',
    request: { params: person, body: emailCorrection, bodyIs: 'email' },
    refusals: {
      403: READ_ONLY,
      404: NO_SUCH_PERSON,
      409: 'email_change_needs_support: the person has associated (or is the administrator); profile_email_taken',
    },
    response: { status: 200, description: 'The person as corrected', schema: memberRecord },
    handle: async ({ holder, params, body, ip }, account) =>
      memberView(await account.organisation.correctEmail(holder, params.profileId, body.email, ip)),
  }),
  accountRoute({
    operationId: 'setPersonStatus',
    method: 'put',
    path: '/organisation/people/{profileId}/status',
    access: 'administrator',
    summary: 'Disable or enable someone of the organisation',
    description: 'A disabled person cannot sign in; their tokens stop at their next use.',
    request: { params: person, body: statusChange, bodyIs: 'status' },
    refusals: { 403: READ_ONLY, 404: NO_SUCH_PERSON, 409: 'cannot_disable_yourself' },
    response: { status: 200, description: 'The person as they are now', schema: memberRecord },
    handle: async ({ holder, params, body, ip }, account) =>
      memberView(await account.organisation.setStatus(holder, params.profileId, body.status, ip)),
  }),
  accountRoute({
    operationId: 'removeAssociation',
    method: 'delete',
    path: '/organisation/people/{profileId}/association',
    access: 'administrator',
    summary: "Remove the person's association (they left the organisation)",
    description:
      'Their account no longer signs in as the profile, everyone signed in as it is signed out and their outstanding links stop working. They can associate again through a new invitation.',
    request: { params: person, query: removalQuery },
    refusals: { 403: READ_ONLY, 404: `${NO_SUCH_PERSON}; not_associated: there is no association to remove` },
    response: { status: 200, description: 'Removed', schema: associationRemovalRecord },
    handle: async ({ holder, params, query, ip, language }, account) => {
      const { reference, signedOut } = await account.organisation.removeAssociation(
        holder,
        params.profileId,
        query.reason,
        ip,
        language,
      );
      return { reference, signed_out: signedOut };
    },
  }),
  accountRoute({
    operationId: 'handOverAdministrator',
    method: 'put',
    path: '/organisation/administrator',
    access: 'administrator',
    summary: 'Hand the administrator role over to someone of the organisation',
    description:
      'They become the administrator and the caller a professional, in one step; both are emailed with the reference. From then on this token is refused these operations.',
    request: { body: handOver, bodyIs: 'administrator' },
    refusals: { 403: READ_ONLY, 404: NO_SUCH_PERSON, 409: 'profile_disabled: a disabled person cannot administer' },
    response: { status: 200, description: 'The change', schema: handOverRecord },
    handle: async ({ holder, body, ip, language }, account) => {
      const result = await account.organisation.handOverAdministrator(holder, body.profile_id, ip, language);
      return {
        administrator: memberView(result.administrator),
        previous: result.previous ? memberView(result.previous) : null,
        reference: result.reference ?? null,
      };
    },
  }),
];

import { z } from 'zod';
import type { AddProfessionalsReport } from '../../account/add-professionals.ts';
import { PERSON_STATUSES, type Person } from '../../account/organisation-people.ts';
import type { LinkStatus } from '../../association/support-desk.ts';
import { PROFILE_ROLES, RECORD_STATUSES, type Profile } from '../../directory/model.ts';

/*
 * What the account API's "our organisation" operations answer with, as zod schemas (as account-records.ts does for
 * "my account"): handlers are type-checked against them, the document describes them, the tests parse with them.
 */

const timestamp = z.iso.datetime();
const LINK_STATUSES = [
  'queued',
  'sent',
  'delivery_failed',
  'redeeming',
  'used',
  'expired',
  'superseded',
  'revoked',
] as const satisfies readonly LinkStatus[];

const EXAMPLE_INVITATION = {
  link_id: 'lnk-01J9Z6Q3W8',
  reference: 'A1B2-C3D4-E5F6',
  expires_at: '2026-03-04T10:15:00.000Z',
};

export const invitationRecord = z
  .object({
    link_id: z.string(),
    reference: z.string().meta({ description: 'The audit reference of the invitation; the email quotes it too' }),
    expires_at: timestamp.meta({ description: 'When the link stops working unused' }),
  })
  .meta({ id: 'Invitation', examples: [EXAMPLE_INVITATION] });

export const personRecord = z
  .object({
    id: z.string().meta({ description: 'The profile id' }),
    display_name: z.string(),
    email: z.string().meta({ description: 'The registered email, where invitations go' }),
    role: z.enum(PROFILE_ROLES),
    status: z.enum(PERSON_STATUSES).meta({
      description:
        '`associated`: signs in with their own account; `invited`: an association link is out for them; `not_invited`: none is (never sent, withdrawn, or used and the association removed since); `disabled`: cannot sign in',
    }),
    associated_at: timestamp
      .nullable()
      .meta({ description: 'When they associated their account (also for a disabled person who had)' }),
    invitation: z
      .object({
        link_id: z.string(),
        status: z
          .enum(LINK_STATUSES)
          .meta({ description: 'Where the link is, and before it is used, where its email is' }),
        delivery: z.enum(['queued', 'sent', 'failed']),
        reference: z.string(),
        created_at: timestamp,
        expires_at: timestamp,
      })
      .nullable()
      .meta({ description: 'When `invited`: the newest link, with the delivery of its email' }),
  })
  .meta({
    id: 'Person',
    examples: [
      {
        id: 'prf-erin-contoso',
        display_name: 'Erin Evans',
        email: 'erin.evans@contoso.example',
        role: 'professional',
        status: 'invited',
        associated_at: null,
        invitation: {
          link_id: 'lnk-01J9Z6Q3W8',
          status: 'sent',
          delivery: 'sent',
          reference: 'A1B2-C3D4-E5F6',
          created_at: '2026-03-02T10:15:00.000Z',
          expires_at: '2026-03-04T10:15:00.000Z',
        },
      },
    ],
  });

export const personView = (p: Person): z.input<typeof personRecord> => ({
  id: p.id,
  display_name: p.displayName,
  email: p.email,
  role: p.role,
  status: p.status,
  associated_at: p.associatedAt?.toISOString() ?? null,
  invitation: p.invitation
    ? {
        link_id: p.invitation.id,
        status: p.invitation.status,
        delivery: p.invitation.delivery,
        reference: p.invitation.reference,
        created_at: p.invitation.created_at,
        expires_at: p.invitation.expires_at,
      }
    : null,
});

export const peoplePage = z
  .object({
    people: z.array(personRecord),
    next: z.string().nullable().meta({ description: 'Pass as `after` for the next page; null on the last page' }),
  })
  .meta({ id: 'People' });

/** A profile of the organisation as a change left it. */
export const memberRecord = z
  .object({
    id: z.string(),
    display_name: z.string(),
    email: z.string().meta({ description: 'The registered email, lower-case' }),
    role: z.enum(PROFILE_ROLES),
    status: z.enum(RECORD_STATUSES),
  })
  .meta({
    id: 'Member',
    examples: [
      {
        id: 'prf-erin-contoso',
        display_name: 'Erin Evans',
        email: 'erin.evans@contoso.example',
        role: 'professional',
        status: 'active',
      },
    ],
  });

export const memberView = (p: Profile): z.input<typeof memberRecord> => ({
  id: p.id,
  display_name: p.displayName,
  email: p.email,
  role: p.role,
  status: p.status,
});

export const addedRecord = z
  .object({ profile: memberRecord, invitation: invitationRecord })
  .meta({ id: 'AddedProfessional' });

const count = z.number().int();
export const addReport = z
  .object({
    dry_run: z.boolean(),
    reference: z.string().nullable().meta({ description: 'The audit event of the additions; null on a dry run' }),
    rows: z.object({ total: count, created: count, updated: count, unchanged: count, rejected: count }),
    details: z.array(
      z.object({
        line: count.meta({ description: 'The line number in the pasted text' }),
        outcome: z.enum(['created', 'updated', 'unchanged', 'rejected']),
        email: z.string().nullable(),
        profile_id: z.string().nullable(),
        reason: z.string().nullable().meta({ description: 'Why the line was rejected, or a note on it' }),
        invitation: z
          .union([invitationRecord, z.object({ error: z.string().meta({ description: 'Why it was not sent' }) })])
          .nullable()
          .meta({ description: "For a person added (not on a dry run): the invitation sent, or why it wasn't" }),
      }),
    ),
  })
  .meta({
    id: 'AddProfessionalsReport',
    examples: [
      {
        dry_run: false,
        reference: 'B7C8-D9E0-F1A2',
        rows: { total: 2, created: 1, updated: 0, unchanged: 0, rejected: 1 },
        details: [
          {
            line: 1,
            outcome: 'created',
            email: 'harry.hughes@contoso.example',
            profile_id: 'prf-01J9Z7',
            reason: null,
            invitation: EXAMPLE_INVITATION,
          },
          {
            line: 2,
            outcome: 'rejected',
            email: null,
            profile_id: null,
            reason: 'email: is not an email address',
            invitation: null,
          },
        ],
      },
    ],
  });

export const addReportView = (report: AddProfessionalsReport): z.input<typeof addReport> => ({
  dry_run: report.dry_run,
  reference: report.reference ?? null,
  rows: report.rows,
  details: report.details.map((row) => ({
    line: row.line,
    outcome: row.outcome,
    email: row.email ?? null,
    profile_id: row.profile_id ?? null,
    reason: row.reason ?? null,
    invitation: row.invitation ?? null,
  })),
});

export const revocationRecord = z
  .object({
    revoked: count.meta({ description: 'How many outstanding links stopped working' }),
    reference: z.string().nullable().meta({ description: 'The audit event; null when there was nothing to withdraw' }),
  })
  .meta({ id: 'InvitationWithdrawal', examples: [{ revoked: 1, reference: 'C3D4-E5F6-A7B8' }] });

export const associationRemovalRecord = z
  .object({
    reference: z.string().meta({ description: 'The audit event of the removal' }),
    signed_out: z
      .boolean()
      .meta({ description: 'True when the administrator removed their own association: this token stops working' }),
  })
  .meta({ id: 'AssociationRemoval', examples: [{ reference: 'D4E5-F6A7-B8C9', signed_out: false }] });

export const handOverRecord = z
  .object({
    administrator: memberRecord,
    previous: memberRecord.nullable().meta({ description: 'The former administrator, now a professional' }),
    reference: z
      .string()
      .nullable()
      .meta({ description: 'The audit event; both people are emailed with it. Null when nothing changed' }),
  })
  .meta({ id: 'AdministratorHandOver' });

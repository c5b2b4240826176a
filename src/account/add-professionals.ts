import { sendInvitation } from '../association/support-desk.ts';
import { spendInvitation } from './invitation-limits.ts';
import { importDirectory, type ImportReport, type RowReport } from '../directory/import-directory.ts';
import { parseCsvLines, type ImportRow } from '../directory/import-file.ts';
import { createProfile } from '../directory/manage-profiles.ts';
import { normaliseEmail, type Organisation, type Profile } from '../directory/model.ts';
import { AppError } from '../shared/errors.ts';
import { toAppError } from '../shared/to-app-error.ts';
import type { AccountHolder } from './account-holder.ts';
import {
  administratorActor,
  requireAdministrator,
  requireChangesAllowed,
  type OurOrganisationDeps,
} from './our-organisation.ts';

/** The invitation an added professional was sent, or the code of why it could not be (they can be sent one again). */
export type InvitationOutcome = { reference: string; link_id: string; expires_at: string } | { error: string };

export interface AddProfessionalsReport extends ImportReport {
  details: (RowReport & { invitation?: InvitationOutcome })[];
}

/**
 * "Add a professional": a new profile of the holder's organisation, always a professional (the administrator role
 * is handed over, never added), emailed an invitation that names the organisation and the administrator who sent it.
 */
export async function addProfessional(
  deps: OurOrganisationDeps,
  holder: AccountHolder,
  input: { displayName: string; email: string },
  ip?: string,
  language?: string,
): Promise<{ profile: Profile; invitation: { reference: string; link_id: string; expires_at: string } }> {
  requireAdministrator(holder);
  requireChangesAllowed(deps, holder);
  const who = administratorActor(holder, ip);
  const profile = await createProfile(deps.directory, who, {
    organisationId: holder.organisation.id,
    displayName: input.displayName,
    email: input.email,
    role: 'professional',
  });
  await spendInvitation(deps.invitations, holder.organisation.id, profile.id);
  const invitation = await sendInvitation(deps.support, who, profile.id, {
    invitedBy: holder.profile.displayName,
    language,
  });
  return { profile, invitation };
}

/**
 * A pasted line as an import row of the holder's organisation: only its name and email are taken from the line, the
 * account number and role are set here, so a line cannot name another organisation or ask for another role. An email
 * someone of the organisation already has is refused on its line: the import would update that person (their name,
 * their role), and adding people must never change anyone already there.
 */
function ownRow(row: ImportRow, organisation: Organisation, existing: Map<string, Profile>): ImportRow {
  if (row.problem) return row;
  const values = {
    ...(row.values.display_name !== undefined ? { display_name: row.values.display_name } : {}),
    ...(row.values.email !== undefined ? { email: row.values.email } : {}),
    account_number: organisation.accountNumber,
    role: 'professional',
  };
  const already = row.values.email !== undefined ? existing.get(normaliseEmail(row.values.email)) : undefined;
  if (!already) return { line: row.line, values };
  return {
    line: row.line,
    values,
    problem: `${already.displayName} of your organisation already has this email`,
    why: { code: 'email_taken', values: { name: already.displayName } },
  };
}

/** A whole text the parser cannot read is refused with words for pasted lines, not for an import file. */
function asPasted(err: unknown): never {
  if (err instanceof AppError && err.code === 'import_unreadable') {
    throw new AppError(400, 'import_unreadable', err.message, { details: { ...err.details, pasted: true } });
  }
  throw err;
}

/**
 * "Add several professionals": pasted lines of name and email, one person a line, through the directory import's
 * own rules and report (each line judged on its own; a bad line is rejected with its reason and changes nothing of
 * the others). With `dryRun` the report says what would happen and nothing is written or sent. Otherwise each
 * person created is sent an invitation naming the administrator, and the report says, line by line, which was sent;
 * one that could not be sent is noted on its line, and the others are still sent.
 */
export async function addProfessionals(
  deps: OurOrganisationDeps,
  holder: AccountHolder,
  lines: string,
  options: { dryRun: boolean; language?: string },
  ip?: string,
): Promise<AddProfessionalsReport> {
  requireAdministrator(holder);
  requireChangesAllowed(deps, holder);
  const who = administratorActor(holder, ip);
  const { organisation } = holder;
  const parsed = await parseCsvLines(lines, ['display_name', 'email']).catch(asPasted);
  const existing = new Map(
    (await deps.imports.directory.findProfilesOfOrganisations([organisation.id])).map((p) => [p.email, p]),
  );
  const report: AddProfessionalsReport = await importDirectory(
    deps.imports,
    who,
    {
      rows: parsed.rows.map((row) => ownRow(row, organisation, existing)),
      ignoredColumns: [],
      columns: new Set(['display_name', 'email', 'account_number', 'role']),
    },
    { dryRun: options.dryRun, format: 'pasted lines' },
  );
  if (options.dryRun) return report;
  // One at a time, in line order: the mail queue takes them as fast as they come, and the report stays in order.
  for (const row of report.details) {
    if (row.outcome !== 'created' || !row.profile_id) continue;
    const profileId = row.profile_id;
    row.invitation = await spendInvitation(deps.invitations, holder.organisation.id, profileId)
      .then(() =>
        sendInvitation(deps.support, who, profileId, {
          invitedBy: holder.profile.displayName,
          language: options.language,
        }),
      )
      .catch((err: unknown) => ({ error: toAppError(err).code }));
  }
  return report;
}

import type { AdminActor } from '../clients/admin-scopes.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Clock } from '../shared/clock.ts';
import { newRecordId, referenceCode } from '../shared/ids.ts';
import { takeTurns } from '../shared/take-turns.ts';
import type { BatchResult, DirectoryAdminStore, DirectoryConflictKind } from './directory-admin-store.ts';
import type { ParsedImport } from './import-file.ts';
import { readRow, rowSchema, type Row } from './import-row.ts';
import type { Organisation, Profile } from './model.ts';
import type { ProfileKinds } from './profile-kinds.ts';
import { because, type RowWhy } from './row-reason.ts';

export interface ImportDeps {
  directory: DirectoryAdminStore;
  audit: AuditLog;
  clock: Clock;
  /** The configured kinds: a row naming another is rejected with them listed. */
  profileKinds: ProfileKinds;
}

export type RowOutcome = 'created' | 'updated' | 'unchanged' | 'rejected';

export interface RowReport {
  line: number;
  outcome: RowOutcome;
  account_number?: string;
  email?: string;
  profile_id?: string;
  organisation_id?: string;
  /** Why a row was rejected, or a note on an accepted one (a repeated row). */
  reason?: string;
  /** The same as codes, for pages in the reader's language (not part of the API's report). */
  why?: RowWhy[];
}

export interface ImportReport {
  dry_run: boolean;
  /** The audit event of an applied import. */
  reference?: string;
  rows: { total: number; created: number; updated: number; unchanged: number; rejected: number };
  organisations: { created: number; updated: number; unchanged: number };
  ignored_columns: string[];
  details: RowReport[];
}

const ROW_CONFLICT: Record<DirectoryConflictKind, { reason: string; why: RowWhy }> = {
  account_number: {
    reason: 'another organisation took this account number meanwhile',
    why: { code: 'conflict_account_number' },
  },
  profile_email: {
    reason: 'another profile of the organisation took this email meanwhile',
    why: { code: 'conflict_profile_email' },
  },
  administrator: {
    reason: 'the organisation got another administrator meanwhile',
    why: { code: 'conflict_administrator' },
  },
};

const sameOrganisation = (a: Organisation, b: Organisation) =>
  a.name === b.name &&
  a.kind === b.kind &&
  a.accountNumber === b.accountNumber &&
  a.status === b.status &&
  (a.contractEndsOn ?? '') === (b.contractEndsOn ?? '');
const sameProfile = (a: Profile, b: Profile) =>
  a.displayName === b.displayName &&
  a.email === b.email &&
  a.role === b.role &&
  a.status === b.status &&
  (a.locale ?? '') === (b.locale ?? '') &&
  a.organisationId === b.organisationId;

/**
 * Bulk import of the directory (CSV or JSON): an idempotent upsert keyed by account number (organisations) and
 * registered email within it (profiles). Every row is judged on its own: a malformed row is reported with its reason
 * and never stops or changes the others. With `dryRun`, the same report is made and nothing is written.
 *
 * Rows of one organisation must agree on its columns; the first valid row sets them. The first profile of an
 * organisation without an administrator becomes its administrator unless its row says otherwise; a row asking for a
 * second administrator is rejected (the support desk replaces administrators).
 */
export async function importDirectory(
  deps: ImportDeps,
  who: AdminActor,
  file: ParsedImport,
  options: { dryRun: boolean; format: string },
): Promise<ImportReport> {
  const details: RowReport[] = file.rows.map((r) => ({ line: r.line, outcome: 'rejected' }));
  const accepted: { index: number; row: Row }[] = [];
  // Checking and planning 50,000 rows takes seconds: they take turns with other requests (health checks, sign-ins).
  const turn = takeTurns();
  const schema = rowSchema(deps.profileKinds);
  for (const [index, raw] of file.rows.entries()) {
    await turn();
    const read = readRow(schema, raw);
    if ('reason' in read) Object.assign(details[index]!, { reason: read.reason, why: read.why });
    else {
      accepted.push({ index, row: read.row });
      Object.assign(details[index]!, { account_number: read.row.account_number, email: read.row.email });
    }
  }

  // The organisations the file names, as they are now, and their profiles.
  const accountNumbers = [...new Set(accepted.map((a) => a.row.account_number))];
  const existingOrgs = new Map(
    (await deps.directory.findOrganisationsByAccountNumber(accountNumbers)).map((o) => [o.accountNumber, o]),
  );
  const existingProfiles = await deps.directory.findProfilesOfOrganisations(
    [...existingOrgs.values()].map((o) => o.id),
  );
  const profilesByKey = new Map(existingProfiles.map((p) => [`${p.organisationId} ${p.email}`, p]));
  const administrators = new Map(
    existingProfiles.filter((p) => p.role === 'administrator').map((p) => [p.organisationId, p]),
  );

  // What each organisation becomes, from its first valid row; later rows must agree.
  const plannedOrgs = new Map<
    string,
    { organisation: Organisation; line: number; change: 'created' | 'updated' | 'unchanged'; firstIndex: number }
  >();
  const seenRows = new Map<string, { line: number; row: Row }>();
  const plannedProfiles: { index: number; profile: Profile; change: 'created' | 'updated' | 'unchanged' }[] = [];

  for (const { index, row } of accepted) {
    await turn();
    const report = details[index]!;
    const reject = ({ reason, why }: { reason: string; why: RowWhy }) =>
      Object.assign(report, { outcome: 'rejected', reason, why: [why] });
    const key = `${row.account_number} ${row.email}`;
    const earlier = seenRows.get(key);
    if (earlier) {
      if (JSON.stringify(earlier.row) === JSON.stringify(row))
        Object.assign(report, {
          outcome: 'unchanged',
          reason: `same as line ${earlier.line}`,
          why: [{ code: 'same_as_line', values: { line: earlier.line } }],
        });
      else
        reject(
          because(`line ${earlier.line} has the same account number and email with other values`, 'differs_from_line', {
            line: earlier.line,
          }),
        );
      continue;
    }

    const planned = plannedOrgs.get(row.account_number);
    const current = existingOrgs.get(row.account_number);
    const wanted = (base: Organisation): Organisation => {
      const next: Organisation = { ...base, name: row.organisation_name ?? base.name, kind: row.kind ?? base.kind };
      if (file.columns.has('contract_ends_on')) {
        if (row.contract_ends_on) next.contractEndsOn = row.contract_ends_on;
        else delete next.contractEndsOn;
      }
      return next;
    };
    // The organisation as this row would leave it; stored in the plan only once the whole row is accepted, so a
    // rejected row changes nothing of its organisation either.
    let fresh: typeof planned;
    if (planned) {
      if (!sameOrganisation(wanted(planned.organisation), planned.organisation)) {
        reject(
          because(
            `organisation columns differ from line ${planned.line} for account number ${row.account_number}`,
            'organisation_differs',
            { line: planned.line, accountNumber: row.account_number },
          ),
        );
        continue;
      }
    } else if (current) {
      const next = wanted(current);
      fresh = {
        organisation: next,
        line: report.line,
        change: sameOrganisation(current, next) ? 'unchanged' : 'updated',
        firstIndex: index,
      };
    } else if (!row.organisation_name || !row.kind) {
      reject(
        because(
          `account number ${row.account_number} is new: organisation_name and kind are needed to create it`,
          'organisation_incomplete',
          { accountNumber: row.account_number },
        ),
      );
      continue;
    } else {
      const next = wanted({
        id: newRecordId('org'),
        accountNumber: row.account_number,
        name: row.organisation_name,
        kind: row.kind,
        status: 'active',
      });
      fresh = { organisation: next, line: report.line, change: 'created', firstIndex: index };
    }

    const organisation = (planned ?? fresh)!.organisation;
    const existing = profilesByKey.get(`${organisation.id} ${row.email}`);
    const administrator = administrators.get(organisation.id);
    if (row.role === 'administrator' && administrator && administrator.id !== existing?.id) {
      reject(
        because(
          `${administrator.displayName} is the administrator of ${organisation.name}; the support desk replaces administrators`,
          'administrator_taken',
          { name: administrator.displayName, organisation: organisation.name },
        ),
      );
      continue;
    }
    const role = row.role ?? existing?.role ?? (administrator ? 'professional' : 'administrator');
    const profile: Profile = {
      id: existing?.id ?? newRecordId('prf'),
      organisationId: organisation.id,
      email: row.email,
      displayName: row.display_name,
      role,
      status: row.status ?? existing?.status ?? 'active',
    };
    // Without a locale column, languages stay as they are; with one, an empty value removes the profile's.
    const locale = file.columns.has('locale') ? row.locale : existing?.locale;
    if (locale) profile.locale = locale;
    if (fresh) plannedOrgs.set(row.account_number, fresh);
    seenRows.set(key, { line: report.line, row });
    if (role === 'administrator') administrators.set(organisation.id, profile);
    else if (administrator?.id === profile.id) administrators.delete(organisation.id);
    plannedProfiles.push({
      index,
      profile,
      change: !existing ? 'created' : sameProfile(existing, profile) ? 'unchanged' : 'updated',
    });
  }

  // Apply: organisations first (a profile needs its organisation), then profiles, each write on its own.
  const orgsById = new Map([...plannedOrgs.values()].map((p) => [p.organisation.id, p]));
  const orgWrites = [...plannedOrgs.values()].filter((p) => p.change !== 'unchanged');
  const orgResults = new Map<string, BatchResult>();
  if (!options.dryRun) {
    const results = await deps.directory.writeOrganisations(orgWrites.map((p) => p.organisation));
    orgWrites.forEach((p, i) => orgResults.set(p.organisation.id, results[i]!));
  }
  const orgResultOf = (profile: Profile): BatchResult => orgResults.get(profile.organisationId) ?? { ok: true };
  const profileWrites = plannedProfiles.filter((p) => p.change !== 'unchanged' && orgResultOf(p.profile).ok);
  const profileResults = new Map<number, BatchResult>();
  if (!options.dryRun) {
    // Professionals first: an administrator demoted by this file makes room before the one it names is written.
    for (const group of [
      profileWrites.filter((p) => p.profile.role !== 'administrator'),
      profileWrites.filter((p) => p.profile.role === 'administrator'),
    ]) {
      const results = await deps.directory.writeProfiles(group.map((p) => p.profile));
      group.forEach((p, i) => profileResults.set(p.index, results[i]!));
    }
  }

  for (const { index, profile, change } of plannedProfiles) {
    const report = details[index]!;
    const org = orgsById.get(profile.organisationId)!;
    const orgResult = orgResultOf(profile);
    const result = orgResult.ok ? (profileResults.get(index) ?? { ok: true }) : orgResult;
    if (!result.ok) {
      const { reason, why } =
        'conflict' in result
          ? ROW_CONFLICT[result.conflict]
          : because(`not written: ${result.error}`, 'not_written', { error: result.error });
      Object.assign(report, { outcome: 'rejected', reason, why: [why] });
      continue;
    }
    // The row that set its organisation's columns reports their change too.
    const orgChanged = org.firstIndex === index && org.change !== 'unchanged';
    Object.assign(report, {
      outcome: change === 'created' ? 'created' : change === 'updated' || orgChanged ? 'updated' : 'unchanged',
      profile_id: profile.id,
      organisation_id: profile.organisationId,
    });
  }

  const count = (outcome: RowOutcome) => details.filter((d) => d.outcome === outcome).length;
  const orgCount = (change: 'created' | 'updated' | 'unchanged') =>
    [...plannedOrgs.values()].filter(
      (p) => p.change === change && (orgResults.get(p.organisation.id) ?? { ok: true }).ok,
    ).length;
  const report: ImportReport = {
    dry_run: options.dryRun,
    rows: {
      total: details.length,
      created: count('created'),
      updated: count('updated'),
      unchanged: count('unchanged'),
      rejected: count('rejected'),
    },
    organisations: { created: orgCount('created'), updated: orgCount('updated'), unchanged: orgCount('unchanged') },
    ignored_columns: file.ignoredColumns,
    details,
  };
  if (!options.dryRun) {
    report.reference = referenceCode();
    await deps.audit.record({
      id: report.reference,
      at: deps.clock.now(),
      action: 'directory.imported',
      outcome: 'success',
      actor: who.actor,
      ip: who.ip,
      details: {
        format: options.format,
        ...prefixed('rows', report.rows),
        ...prefixed('organisations', report.organisations),
      },
    });
  }
  return report;
}

const prefixed = (prefix: string, counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).map(([k, v]) => [`${prefix}_${k}`, v]));

/** The report as the admin API and the command line give it: each row's sentence, without the codes pages translate. */
export async function importDirectoryReport(
  deps: ImportDeps,
  who: AdminActor,
  file: ParsedImport,
  options: { dryRun: boolean; format: string },
): Promise<ImportReport> {
  const report = await importDirectory(deps, who, file, options);
  return { ...report, details: report.details.map(({ why: _codes, ...row }) => row) };
}

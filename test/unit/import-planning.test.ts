import { describe, expect, it } from '@jest/globals';
import { DEFAULT_PROFILE_KINDS } from '../../src/directory/profile-kinds.ts';
import type { AuditEvent } from '../../src/audit/audit-log.ts';
import type { BatchResult, DirectoryAdminStore } from '../../src/directory/directory-admin-store.ts';
import { importDirectory, type ImportReport } from '../../src/directory/import-directory.ts';
import { parseCsvImport } from '../../src/directory/import-file.ts';
import type { Organisation, Profile } from '../../src/directory/model.ts';

// What an import makes of each row, decided before anything is written: the directory as it is (two reads), the
// file, and the rules. The end-to-end import tests (test/admin/import-api.test.ts) cover the same rules through HTTP
// and the stores; these check each rule on its own, in milliseconds.

const CONTOSO: Organisation = {
  id: 'org-contoso',
  accountNumber: 'C-1',
  name: 'Contoso',
  kind: 'customer',
  status: 'active',
  contractEndsOn: '2030-12-31',
};
const ALICE: Profile = {
  id: 'prf-alice',
  organisationId: 'org-contoso',
  email: 'alice@contoso.example',
  displayName: 'Alice',
  role: 'administrator',
  status: 'active',
};
const BOB: Profile = {
  ...ALICE,
  id: 'prf-bob',
  email: 'bob@contoso.example',
  displayName: 'Bob',
  role: 'professional',
};

const HEADER = 'account_number,organisation_name,kind,email,display_name,role';
const WHO = { actor: 'operator:test', holds: [] };
const NOW = new Date('2026-01-15T10:00:00Z');

/** The directory as it is before the import, answering the two reads an import makes; every write is recorded. */
function directoryWith(organisations: Organisation[], profiles: Profile[], results: Partial<WriteResults> = {}) {
  const writes: { organisations: Organisation[][]; profiles: Profile[][]; audit: AuditEvent[] } = {
    organisations: [],
    profiles: [],
    audit: [],
  };
  const store: Partial<DirectoryAdminStore> = {
    findOrganisationsByAccountNumber: async (numbers) => organisations.filter((o) => numbers.includes(o.accountNumber)),
    findProfilesOfOrganisations: async (ids) => profiles.filter((p) => ids.includes(p.organisationId)),
    writeOrganisations: async (batch) => {
      writes.organisations.push(batch);
      return batch.map((o) => results.organisation?.(o) ?? { ok: true });
    },
    writeProfiles: async (batch) => {
      writes.profiles.push(batch);
      return batch.map((p) => results.profile?.(p) ?? { ok: true });
    },
  };
  const deps = {
    directory: store as DirectoryAdminStore,
    audit: {
      record: async (event: AuditEvent) => void writes.audit.push(event),
      query: async () => [],
    },
    clock: { now: () => NOW },
    profileKinds: DEFAULT_PROFILE_KINDS,
  };
  return { deps, writes };
}
interface WriteResults {
  organisation: (o: Organisation) => BatchResult | undefined;
  profile: (p: Profile) => BatchResult | undefined;
}

async function dryRun(csv: string[], organisations: Organisation[] = [CONTOSO], profiles: Profile[] = [ALICE, BOB]) {
  const { deps, writes } = directoryWith(organisations, profiles);
  const report = await importDirectory(deps, WHO, await parseCsvImport(csv.join('\n')), {
    dryRun: true,
    format: 'csv',
  });
  expect(writes).toEqual({ organisations: [], profiles: [], audit: [] });
  return report;
}

/** Each row's line, outcome and reason, in order. */
const outcomes = (report: ImportReport) =>
  report.details.map((d) => [d.line, d.outcome, ...(d.reason ? [d.reason] : [])]);

describe('import planning: what each row would do', () => {
  it('creates a new organisation from its first row; its first profile becomes the administrator, the next a professional', async () => {
    const report = await dryRun([
      HEADER,
      'N-9,Northwind,partner,Nina@Northwind.example,Nina,',
      'N-9,Northwind,partner,oscar@northwind.example,Oscar,',
    ]);
    expect(outcomes(report)).toEqual([
      [2, 'created'],
      [3, 'created'],
    ]);
    expect(report.rows).toEqual({ total: 2, created: 2, updated: 0, unchanged: 0, rejected: 0 });
    expect(report.organisations).toEqual({ created: 1, updated: 0, unchanged: 0 });
    const [nina, oscar] = report.details;
    expect(nina!.email).toBe('nina@northwind.example');
    expect(nina!.organisation_id).toMatch(/^org-/);
    expect(oscar!.organisation_id).toBe(nina!.organisation_id);
    expect(nina!.profile_id).not.toBe(oscar!.profile_id);
    expect(report.dry_run).toBe(true);
    expect(report.reference).toBeUndefined();
  });

  it('rejects a row for an unknown account number that does not name the organisation and its kind', async () => {
    const report = await dryRun([HEADER, 'N-9,,,nina@northwind.example,Nina,', 'N-8,Eighth,,x@eighth.example,X,']);
    expect(outcomes(report)).toEqual([
      [2, 'rejected', 'account number N-9 is new: organisation_name and kind are needed to create it'],
      [3, 'rejected', 'account number N-8 is new: organisation_name and kind are needed to create it'],
    ]);
    expect(report.organisations).toEqual({ created: 0, updated: 0, unchanged: 0 });
  });

  it('leaves a profile as it is unchanged, and updates one whose values differ, keeping its id', async () => {
    const report = await dryRun([
      HEADER,
      'C-1,Contoso,customer,alice@contoso.example,Alice,administrator',
      'C-1,Contoso,customer,BOB@contoso.example,Robert,',
    ]);
    expect(outcomes(report)).toEqual([
      [2, 'unchanged'],
      [3, 'updated'],
    ]);
    expect(report.details.map((d) => d.profile_id)).toEqual(['prf-alice', 'prf-bob']);
    expect(report.organisations).toEqual({ created: 0, updated: 0, unchanged: 1 });
  });

  it("reports an organisation's change on the row that set its columns, even when that row's profile is unchanged", async () => {
    const report = await dryRun([
      HEADER,
      'C-1,Contoso Ltd,customer,alice@contoso.example,Alice,',
      'C-1,Contoso Ltd,customer,bob@contoso.example,Bob,',
    ]);
    expect(outcomes(report)).toEqual([
      [2, 'updated'],
      [3, 'unchanged'],
    ]);
    expect(report.organisations).toEqual({ created: 0, updated: 1, unchanged: 0 });
  });

  it('keeps a contract when the file has no contract column, and removes it when the column is there but empty', async () => {
    const without = await dryRun(['account_number,email,display_name', 'C-1,bob@contoso.example,Bob']);
    expect(outcomes(without)).toEqual([[2, 'unchanged']]);
    const emptied = await dryRun([
      'account_number,contract_ends_on,email,display_name',
      'C-1,,bob@contoso.example,Bob',
    ]);
    expect(outcomes(emptied)).toEqual([[2, 'updated']]);
    expect(emptied.organisations.updated).toBe(1);
    const moved = await dryRun([
      'account_number,contract_ends_on,email,display_name',
      'C-1,2031-06-30,bob@contoso.example,Bob',
    ]);
    expect(outcomes(moved)).toEqual([[2, 'updated']]);
  });

  it("sets, keeps and clears a profile's language; a malformed tag rejects the row, an equal one is no change", async () => {
    const FRENCH_BOB = { ...BOB, locale: 'fr-CH' };
    const header = 'account_number,email,display_name,locale';
    const set = await dryRun(
      [header, 'C-1,alice@contoso.example,Alice,de', 'C-1,bob@contoso.example,Bob,fr-ch'],
      [CONTOSO],
      [ALICE, FRENCH_BOB],
    );
    // fr-ch is fr-CH written in another case: the same language, so no change.
    expect(outcomes(set)).toEqual([
      [2, 'updated'],
      [3, 'unchanged'],
    ]);
    const kept = await dryRun(
      ['account_number,email,display_name', 'C-1,bob@contoso.example,Bob'],
      [CONTOSO],
      [ALICE, FRENCH_BOB],
    );
    expect(outcomes(kept)).toEqual([[2, 'unchanged']]);
    const cleared = await dryRun([header, 'C-1,bob@contoso.example,Bob,'], [CONTOSO], [ALICE, FRENCH_BOB]);
    expect(outcomes(cleared)).toEqual([[2, 'updated']]);
    const malformed = await dryRun(
      [
        header,
        'C-1,bob@contoso.example,Bob,german',
        'C-1,alice@contoso.example,Alice,de_DE',
        `C-1,x@contoso.example,X,${'de-'.padEnd(40, 'x')}`,
      ],
      [CONTOSO],
      [ALICE, FRENCH_BOB],
    );
    const reason = 'locale must be a BCP 47 language tag such as de or fr-CH';
    expect(outcomes(malformed)).toEqual([
      [2, 'rejected', reason],
      [3, 'rejected', reason],
      [4, 'rejected', reason],
    ]);

    const { deps, writes } = directoryWith([CONTOSO], [ALICE, FRENCH_BOB]);
    await importDirectory(
      deps,
      WHO,
      await parseCsvImport(
        [header, 'C-1,alice@contoso.example,Alice,DE-at', 'C-1,bob@contoso.example,Bob,'].join('\n'),
      ),
      { dryRun: false, format: 'csv' },
    );
    expect(writes.profiles.flat()).toEqual([
      { ...BOB, role: 'professional' },
      { ...ALICE, role: 'administrator', locale: 'de-AT' },
    ]);
  });

  it('counts a repeated row once: the same values are unchanged, other values for the same person are rejected', async () => {
    const report = await dryRun([
      HEADER,
      'C-1,Contoso,customer,carl@contoso.example,Carl,',
      'C-1,Contoso,customer,Carl@Contoso.example,Carl,',
      'C-1,Contoso,customer,carl@contoso.example,Karl,',
    ]);
    expect(outcomes(report)).toEqual([
      [2, 'created'],
      [3, 'unchanged', 'same as line 2'],
      [4, 'rejected', 'line 2 has the same account number and email with other values'],
    ]);
  });

  it('rejects a row whose organisation columns differ from the first row of that account number', async () => {
    const report = await dryRun([
      HEADER,
      'N-9,Northwind,partner,nina@northwind.example,Nina,',
      'N-9,Northwind Traders,partner,oscar@northwind.example,Oscar,',
      'N-9,Northwind,customer,paul@northwind.example,Paul,',
      'N-9,,,quinn@northwind.example,Quinn,',
    ]);
    expect(outcomes(report)).toEqual([
      [2, 'created'],
      [3, 'rejected', 'organisation columns differ from line 2 for account number N-9'],
      [4, 'rejected', 'organisation columns differ from line 2 for account number N-9'],
      [5, 'created'],
    ]);
  });

  it('never names a second administrator; the administrator named again, or a professional, is fine', async () => {
    const report = await dryRun([
      HEADER,
      'C-1,Contoso,customer,dana@contoso.example,Dana,administrator',
      'C-1,Contoso,customer,alice@contoso.example,Alice,ADMINISTRATOR',
      'C-1,Contoso,customer,erin@contoso.example,Erin,',
    ]);
    expect(outcomes(report)).toEqual([
      [2, 'rejected', 'Alice is the administrator of Contoso; the support desk replaces administrators'],
      [3, 'unchanged'],
      [4, 'created'],
    ]);
  });

  it('lets a file demote the administrator and name another in the same import', async () => {
    const report = await dryRun([
      HEADER,
      'C-1,Contoso,customer,alice@contoso.example,Alice,professional',
      'C-1,Contoso,customer,bob@contoso.example,Bob,administrator',
    ]);
    expect(outcomes(report)).toEqual([
      [2, 'updated'],
      [3, 'updated'],
    ]);
  });

  it('changes nothing of an organisation through a row it rejects', async () => {
    // Line 2 would rename Contoso but is rejected; line 3 keeps the old name and so agrees with the organisation as it is.
    const report = await dryRun([
      HEADER,
      'C-1,Contoso Ltd,customer,dana@contoso.example,Dana,administrator',
      'C-1,Contoso,customer,erin@contoso.example,Erin,',
    ]);
    expect(outcomes(report)).toEqual([
      [2, 'rejected', 'Alice is the administrator of Contoso Ltd; the support desk replaces administrators'],
      [3, 'created'],
    ]);
    expect(report.organisations).toEqual({ created: 0, updated: 0, unchanged: 1 });
  });
});

describe('import planning: which rows are valid', () => {
  const reasons = async (...rows: string[]) =>
    (await dryRun(['account_number,organisation_name,kind,contract_ends_on,email,display_name,role,status', ...rows]))
      .details;

  it('takes kind, role and status in any case, and reads an empty optional column as not given', async () => {
    const details = await reasons(
      'C-1,,,,Fay@Contoso.example,Fay,Professional,DISABLED',
      'N-9,Northwind,PARTNER,2030-01-31,gus@northwind.example,Gus,,',
    );
    expect(details.map((d) => d.outcome)).toEqual(['created', 'created']);
    expect(details[0]!.email).toBe('fay@contoso.example');
  });

  it('says what is wrong with each value, all of a row at once', async () => {
    const details = await reasons(
      'C-1,,,,not-an-email,Fay,,',
      'C-1,,retailer,,fay@contoso.example,Fay,,',
      'C-1,,,31/12/2030,fay@contoso.example,Fay,,',
      'C-1,,,,fay@contoso.example,Fay,owner,',
      'C-1,,,,fay@contoso.example,Fay,,gone',
      'C-1,,,,fay@contoso.example,"Fay\nForged",,',
      'C-1,,,,fay@contoso.example,,,',
      ',,,,not-an-email,Fay,owner,',
    );
    expect(details.map((d) => [d.outcome, d.reason])).toEqual([
      ['rejected', 'email is not an email address'],
      ['rejected', 'kind must be one of customer, partner, employee'],
      ['rejected', 'contract_ends_on must be a date like 2027-06-30'],
      ['rejected', 'role must be one of administrator, professional'],
      ['rejected', 'status must be active or disabled'],
      ['rejected', 'display_name holds a line break or control character'],
      ['rejected', 'display_name is empty'],
      [
        'rejected',
        'account_number is empty; email is not an email address; role must be one of administrator, professional',
      ],
    ]);
  });

  it('rejects names and account numbers over their length', async () => {
    const details = await reasons(
      `C-1,,,,fay@contoso.example,${'F'.repeat(201)},,`,
      `${'9'.repeat(65)},Long,customer,,fay@contoso.example,Fay,,`,
      `C-1,,,,fay@contoso.example,${'F'.repeat(200)},,`,
    );
    expect(details.map((d) => [d.outcome, d.reason])).toEqual([
      ['rejected', 'display_name is longer than 200 characters'],
      ['rejected', 'account_number is longer than 64 characters'],
      ['created', undefined],
    ]);
  });

  it("rejects a row the file reader could not place, with the reader's words", async () => {
    const details = await reasons('C-1,,,,fay@contoso.example', 'C-1,,,,gus@contoso.example,Gus,,');
    expect(details.map((d) => [d.line, d.outcome, d.reason])).toEqual([
      [2, 'rejected', '5 fields where the header has 8'],
      [3, 'created', undefined],
    ]);
  });
});

describe('applying an import', () => {
  const FILE = [
    HEADER,
    'N-9,Northwind,partner,nina@northwind.example,Nina,',
    'N-9,Northwind,partner,oscar@northwind.example,Oscar,',
    'C-1,Contoso Ltd,customer,alice@contoso.example,Alice,professional',
    'C-1,Contoso Ltd,customer,bob@contoso.example,Bob,administrator',
    'C-1,Contoso Ltd,customer,carl@contoso.example,Carl,',
  ];

  const apply = async (results: Partial<WriteResults> = {}) => {
    const { deps, writes } = directoryWith([CONTOSO], [ALICE, BOB], results);
    const report = await importDirectory(deps, WHO, await parseCsvImport(FILE.join('\n')), {
      dryRun: false,
      format: 'csv',
    });
    return { report, writes };
  };

  it('writes the organisations that change, then the professionals, then the administrators, and audits the counts', async () => {
    const { report, writes } = await apply();
    expect(writes.organisations.map((batch) => batch.map((o) => o.name))).toEqual([['Northwind', 'Contoso Ltd']]);
    expect(writes.profiles.map((batch) => batch.map((p) => `${p.displayName} ${p.role}`))).toEqual([
      ['Oscar professional', 'Alice professional', 'Carl professional'],
      ['Nina administrator', 'Bob administrator'],
    ]);
    expect(outcomes(report)).toEqual([
      [2, 'created'],
      [3, 'created'],
      [4, 'updated'],
      [5, 'updated'],
      [6, 'created'],
    ]);
    expect(report.reference).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/);
    expect(writes.audit).toEqual([
      expect.objectContaining({
        id: report.reference,
        at: NOW,
        action: 'directory.imported',
        actor: 'operator:test',
        details: {
          format: 'csv',
          rows_total: 5,
          rows_created: 3,
          rows_updated: 2,
          rows_unchanged: 0,
          rows_rejected: 0,
          organisations_created: 1,
          organisations_updated: 1,
          organisations_unchanged: 0,
        },
      }),
    ]);
  });

  it("rejects the rows of a write the store refused, naming the rule, and leaves the others' outcome", async () => {
    const { report, writes } = await apply({
      organisation: (o) => (o.accountNumber === 'N-9' ? { ok: false, conflict: 'account_number' } : undefined),
      profile: (p) => (p.email === 'carl@contoso.example' ? { ok: false, error: 'disk full' } : undefined),
    });
    // The refused organisation's profiles are not written at all.
    expect(writes.profiles.flat().map((p) => p.displayName)).toEqual(['Alice', 'Carl', 'Bob']);
    expect(outcomes(report)).toEqual([
      [2, 'rejected', 'another organisation took this account number meanwhile'],
      [3, 'rejected', 'another organisation took this account number meanwhile'],
      [4, 'updated'],
      [5, 'updated'],
      [6, 'rejected', 'not written: disk full'],
    ]);
    expect(report.organisations).toEqual({ created: 0, updated: 1, unchanged: 0 });
    expect(report.rows).toEqual({ total: 5, created: 0, updated: 2, unchanged: 0, rejected: 3 });
  });
});

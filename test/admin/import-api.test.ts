import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { adminApi } from '../support/admin-api.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';

const ROOT = { id: 'root-admin', secret: 'root-admin-secret-0123456789abcdefghij' };
let broker: TestBroker;
let admin: ReturnType<typeof adminApi>;
let token: string;

beforeEach(async () => {
  broker = await startBroker({ admin: { clientId: ROOT.id, clientSecret: ROOT.secret } });
  admin = adminApi(broker.issuer, ROOT);
  token = await admin.token('admin:directory');
});
afterEach(() => broker.close());

const importFile = (content: string, type: string, dryRun = false) =>
  admin.call('POST', `/directory/imports${dryRun ? '?dry_run=true' : ''}`, token, content, { 'content-type': type });
const directory = async (path: string) => (await admin.call('GET', `/directory${path}`, token)).body!;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- report rows from the API under test
const byLine = (report: Record<string, any>) =>
  Object.fromEntries(report.details.map((d: { line: number }) => [d.line, d]));

/**
 * A file as people export it from a spreadsheet: byte-order mark, CRLF, headers in their own words, a quoted name with
 * a comma, a quoted field across two lines, an unknown column, blank lines, stray spaces and capitals, a repeated row,
 * a conflicting repeat, bad emails, a bad date, a row with too many fields, and a new organisation without its name.
 */
const MESSY_CSV = [
  '\uFEFFAccount Number,Organisation Name,Kind,Contract Ends On,Email,Display Name,Phone,Role',
  'C-900001,"Woodgrove, Bank",Customer,2099-12-31, Wanda.Wood@Woodgrove.example ,Wanda Wood,555-0100,', // 2: created, administrator
  'C-900001,"Woodgrove, Bank",customer,2099-12-31,ward@woodgrove.example,"Ward ""W"" Wood",555-0101,', // 3: created, professional
  '',
  'C-900001,"Woodgrove, Bank",customer,2099-12-31,wanda.wood@woodgrove.example,Wanda Wood,555-0100,', // 5: same as line 2
  'C-900001,"Woodgrove, Bank",customer,2099-12-31,ward@woodgrove.example,Ward Other,,', // 6: conflicts with line 3
  'C-900001,"Woodgrove, Bank",customer,2099-12-31,not-an-email,Nobody,,', // 7: bad email
  'C-900001,"Woodgrove, Bank",customer,2099-12-31,walt@woodgrove.example,Walt,,administrator', // 8: second administrator
  'C-900001,"Woodgrove Bank plc",customer,2099-12-31,wes@woodgrove.example,Wes,,', // 9: organisation columns differ
  'P-900002,"Litware\r\nConsulting",PARTNER,31/12/2099,lee@litware.example,Lee,,', // 10-11: bad date
  'P-900002,Litware Consulting,partner,,lee@litware.example,Lee,,', // 12: created, no contract
  'C-900003,,customer,,orphan@nowhere.example,Orphan,,', // 13: new organisation without a name
  'C-104233,Contoso Pharmaceuticals,customer,2099-12-31,erin.evans@contoso.example,Erin Evans-Smith,,', // 14: existing profile renamed
  'C-104233,Contoso Pharmaceuticals,customer,2099-12-31,alice.andersen@contoso.example,Alice Andersen,,', // 15: unchanged
  'C-104233,Contoso Pharmaceuticals,customer,2099-12-31,new.admin@contoso.example,New Admin,,administrator', // 16: Contoso has Alice
  'C-104233,Contoso Pharmaceuticals,customer,2099-12-31,too@many.example,Too Many,,,extra', // 17: too many fields
  'C-104233,Contoso Pharmaceuticals,customer,2099-12-31,vendor@contoso.example,Vendor,,', // 18: created
  '',
].join('\r\n');

describe('bulk import of the directory', () => {
  it('reports each row of a messy CSV file (created, updated, unchanged, rejected with its reason) and writes nothing on a dry run', async () => {
    const before = await directory('/profiles?limit=500');
    const dry = await importFile(MESSY_CSV, 'text/csv', true);
    expect(dry.status).toBe(200);
    expect(dry.body!.dry_run).toBe(true);
    expect(dry.body!.reference).toBeUndefined();
    expect(await directory('/profiles?limit=500')).toEqual(before);
    expect((await directory('/organisations?q=woodgrove')).organisations).toEqual([]);

    const applied = await importFile(MESSY_CSV, 'text/csv');
    expect(applied.status).toBe(200);
    const report = applied.body!;
    // The dry run said exactly what the import then did (ids aside: nothing was created on the dry run).
    const outcomes = (r: typeof report) =>
      r.details.map((d: { line: number; outcome: string; reason?: string }) => [d.line, d.outcome, d.reason ?? '']);
    expect(outcomes(dry.body!)).toEqual(outcomes(report));
    expect(dry.body!.rows).toEqual(report.rows);

    expect(report.rows).toEqual({ total: 15, created: 4, updated: 1, unchanged: 2, rejected: 8 });
    expect(report.organisations).toEqual({ created: 2, updated: 0, unchanged: 1 });
    expect(report.ignored_columns).toEqual(['Phone']);
    expect(report.reference).toMatch(/^[0-9A-F-]{14}$/);
    const lines = byLine(report);
    expect(lines[2]).toMatchObject({
      outcome: 'created',
      account_number: 'C-900001',
      email: 'wanda.wood@woodgrove.example',
    });
    expect(lines[3]).toMatchObject({ outcome: 'created', email: 'ward@woodgrove.example' });
    expect(lines[5]).toMatchObject({ outcome: 'unchanged', reason: 'same as line 2' });
    expect(lines[6]).toMatchObject({
      outcome: 'rejected',
      reason: 'line 3 has the same account number and email with other values',
    });
    expect(lines[7]).toMatchObject({ outcome: 'rejected', reason: 'email is not an email address' });
    expect(lines[8]).toMatchObject({
      outcome: 'rejected',
      reason: 'Wanda Wood is the administrator of Woodgrove, Bank; the support desk replaces administrators',
    });
    expect(lines[9]).toMatchObject({
      outcome: 'rejected',
      reason: 'organisation columns differ from line 2 for account number C-900001',
    });
    expect(lines[10]).toMatchObject({
      outcome: 'rejected',
      reason:
        'organisation_name holds a line break or control character; contract_ends_on must be a date like 2027-06-30',
    });
    expect(lines[12]).toMatchObject({ outcome: 'created' });
    expect(lines[13]!.reason).toBe(
      'account number C-900003 is new: organisation_name and kind are needed to create it',
    );
    expect(lines[14]).toMatchObject({ outcome: 'updated', profile_id: 'prf-erin-contoso' });
    expect(lines[15]).toMatchObject({ outcome: 'unchanged', profile_id: 'prf-alice-contoso' });
    expect(lines[16]!.reason).toContain('Alice Andersen is the administrator of Contoso Pharmaceuticals');
    expect(lines[17]).toMatchObject({ outcome: 'rejected', reason: '9 fields where the header has 8' });
    expect(lines[18]).toMatchObject({ outcome: 'created' });

    // What landed: the quoted comma kept, the first profile of a new organisation its administrator.
    const [woodgrove] = (await directory('/organisations?q=C-900001')).organisations;
    expect(woodgrove).toMatchObject({ name: 'Woodgrove, Bank', kind: 'customer', contract_ends_on: '2099-12-31' });
    const people = (await directory(`/profiles?organisation_id=${woodgrove.id}`)).profiles;
    expect(
      people
        .map((p: { email: string; role: string; display_name: string }) => [p.email, p.role, p.display_name])
        .sort(),
    ).toEqual([
      ['wanda.wood@woodgrove.example', 'administrator', 'Wanda Wood'],
      ['ward@woodgrove.example', 'professional', 'Ward "W" Wood'],
    ]);
    const [litware] = (await directory('/organisations?q=P-900002')).organisations;
    expect(litware).toMatchObject({ name: 'Litware Consulting', kind: 'partner', contract_ends_on: null });
    expect((await directory('/profiles/prf-erin-contoso')).display_name).toBe('Erin Evans-Smith');
    expect((await directory('/profiles?email=new.admin@contoso.example')).profiles).toEqual([]);
    expect((await directory('/profiles?email=orphan@nowhere.example')).profiles).toEqual([]);
    expect((await directory('/organisations?q=C-900003')).organisations).toEqual([]);

    const events = (
      await admin.call('GET', '/audit/events?action=directory.imported', await admin.token('admin:audit'))
    ).body!.events;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      reference: report.reference,
      actor: `admin:${ROOT.id}`,
      details: { format: 'csv', rows_created: 4, rows_rejected: 8, organisations_created: 2 },
    });
  });

  it('is idempotent: the same file again changes nothing and says so', async () => {
    await importFile(MESSY_CSV, 'text/csv');
    const profiles = await directory('/profiles?limit=500');
    const again = await importFile(MESSY_CSV, 'text/csv');
    expect(again.body!.rows).toEqual({ total: 15, created: 0, updated: 0, unchanged: 7, rejected: 8 });
    expect(again.body!.organisations).toEqual({ created: 0, updated: 0, unchanged: 3 });
    expect(await directory('/profiles?limit=500')).toEqual(profiles);
  });

  it('takes the same rows as JSON, in any common spelling of the columns, and updates organisations and statuses', async () => {
    const rows = [
      {
        accountNumber: 'C-104233',
        organisationName: 'Contoso Pharma',
        kind: 'customer',
        contractEndsOn: '2030-01-31',
        email: 'gina.green@contoso.example',
        displayName: 'Gina Green',
        status: 'active',
      },
      {
        account_number: 'C-104233',
        organisation_name: 'Contoso Pharma',
        kind: 'customer',
        contract_ends_on: '2030-01-31',
        email: 'bad@',
        display_name: 'Bad',
      },
      'not a row',
      {
        account_number: 12345,
        organisation_name: 'Numbered',
        kind: 'partner',
        email: 'num@numbered.example',
        display_name: 'Num',
        role: 'professional',
      },
    ];
    const response = await importFile(JSON.stringify({ rows }), 'application/json');
    expect(response.status).toBe(200);
    const report = response.body!;
    expect(report.rows).toEqual({ total: 4, created: 1, updated: 1, unchanged: 0, rejected: 2 });
    expect(byLine(report)[3]).toMatchObject({ outcome: 'rejected', reason: 'not an object' });
    expect(await directory('/organisations/org-contoso')).toMatchObject({
      name: 'Contoso Pharma',
      contract_ends_on: '2030-01-31',
    });
    expect((await directory('/profiles/prf-gina-contoso')).status).toBe('active');
    // Asked for as a professional, the first profile of the new organisation is one.
    expect((await directory('/profiles?email=num@numbered.example')).profiles[0].role).toBe('professional');
  });

  it("sets, keeps and clears profiles' languages from a locale column or property; a malformed tag rejects its row", async () => {
    const csv = [
      'account_number,email,display_name,Preferred Language',
      'C-104233,alice.andersen@contoso.example,Alice Andersen,de-ch',
      'C-104233,erin.evans@contoso.example,Erin Evans,fr',
      'C-104233,gina.green@contoso.example,Gina Green,deutsch',
    ].join('\n');
    const first = (await importFile(csv, 'text/csv')).body!;
    expect(first.rows).toMatchObject({ updated: 2, rejected: 1 });
    expect(byLine(first)[4]).toMatchObject({
      outcome: 'rejected',
      reason: 'locale must be a BCP 47 language tag such as de or fr-CH',
    });
    expect((await directory('/profiles/prf-alice-contoso')).locale).toBe('de-CH');
    expect((await directory('/profiles/prf-erin-contoso')).locale).toBe('fr');
    expect((await directory('/profiles/prf-gina-contoso')).locale).toBeNull();

    // The same values again change nothing; a file without the column leaves languages as they are.
    expect((await importFile(csv, 'text/csv')).body!.rows).toMatchObject({ updated: 0, unchanged: 2 });
    const without = 'account_number,email,display_name\nC-104233,alice.andersen@contoso.example,Alice Andersen';
    expect((await importFile(without, 'text/csv')).body!.rows).toMatchObject({ unchanged: 1 });
    expect((await directory('/profiles/prf-alice-contoso')).locale).toBe('de-CH');

    // JSON: an empty or null locale removes it.
    const json = JSON.stringify([
      {
        account_number: 'C-104233',
        email: 'alice.andersen@contoso.example',
        display_name: 'Alice Andersen',
        locale: '',
      },
      { account_number: 'C-104233', email: 'erin.evans@contoso.example', display_name: 'Erin Evans', locale: null },
      { account_number: 'C-104233', email: 'gina.green@contoso.example', display_name: 'Gina Green', locale: 'en-GB' },
    ]);
    expect((await importFile(json, 'application/json')).body!.rows).toMatchObject({ updated: 3, rejected: 0 });
    expect((await directory('/profiles/prf-alice-contoso')).locale).toBeNull();
    expect((await directory('/profiles/prf-erin-contoso')).locale).toBeNull();
    expect((await directory('/profiles/prf-gina-contoso')).locale).toBe('en-GB');
  });

  it('hands the administrator role over within one file: the old one made a professional, the new one the administrator', async () => {
    const csv = [
      'account_number,email,display_name,role',
      'C-104233,alice.andersen@contoso.example,Alice Andersen,professional',
      'C-104233,new.admin@contoso.example,New Admin,administrator',
    ].join('\n');
    // Also at the path with a trailing slash, which the router serves too.
    const report = (await admin.call('POST', '/directory/imports/', token, csv, { 'content-type': 'text/csv' })).body!;
    expect(report.rows).toEqual({ total: 2, created: 1, updated: 1, unchanged: 0, rejected: 0 });
    const admins = (await directory('/profiles?organisation_id=org-contoso&role=administrator')).profiles;
    expect(admins.map((p: { email: string }) => p.email)).toEqual(['new.admin@contoso.example']);
  });

  it('takes columns named like object machinery (constructor, __proto__, toString) for unknown columns, in CSV and JSON', async () => {
    const csv = [
      'account_number,email,display_name,constructor,__proto__,toString,hasOwnProperty',
      'C-104233,proto@contoso.example,Proto Type,a,b,c,d',
    ].join('\n');
    const fromCsv = await importFile(csv, 'text/csv');
    expect(fromCsv.status).toBe(200);
    expect(fromCsv.body!.ignored_columns).toEqual(['constructor', '__proto__', 'toString', 'hasOwnProperty']);
    expect(fromCsv.body!.rows).toMatchObject({ total: 1, created: 1, rejected: 0 });

    const json =
      '[{"account_number": "C-104233", "email": "json.proto@contoso.example", "display_name": "Json Proto", "constructor": "x", "__proto__": {"a": 1}, "valueOf": 2}]';
    const fromJson = await importFile(json, 'application/json');
    expect(fromJson.status).toBe(200);
    expect(fromJson.body!.ignored_columns).toEqual(['constructor', '__proto__', 'valueOf']);
    expect(fromJson.body!.rows).toMatchObject({ total: 1, created: 1, rejected: 0 });
    expect((await directory('/profiles?email=json.proto@contoso.example')).profiles[0]).toMatchObject({
      display_name: 'Json Proto',
    });
  });

  it('rejects organisation and display names holding control characters or line breaks, each row with its reason, and imports the others', async () => {
    const csv = [
      'account_number,organisation_name,kind,email,display_name',
      'C-910001,Fine Org,customer,fine@fine.example,Fine Person',
      'C-910001,Fine Org,customer,tab@fine.example,Tab\tPerson',
      'C-910001,Fine Org,customer,wrapped@fine.example,"Two\nLines"',
      'C-910002,"Evil\u2028Org",customer,evil@evil.example,Evil Person',
      'C-910001,Fine Org,customer,escape@fine.example,\u001b[31mRed',
    ].join('\n');
    const report = (await importFile(csv, 'text/csv')).body!;
    expect(report.rows).toMatchObject({ total: 5, created: 1, rejected: 4 });
    const lines = byLine(report);
    expect(lines[2]).toMatchObject({ outcome: 'created' });
    expect(lines[3]).toMatchObject({
      outcome: 'rejected',
      reason: 'display_name holds a line break or control character',
    });
    expect(lines[4]).toMatchObject({
      outcome: 'rejected',
      reason: 'display_name holds a line break or control character',
    });
    expect(lines[6]).toMatchObject({
      outcome: 'rejected',
      reason: 'organisation_name holds a line break or control character',
    });
    expect(lines[7]).toMatchObject({
      outcome: 'rejected',
      reason: 'display_name holds a line break or control character',
    });
    const json = JSON.stringify([
      { account_number: 'C-104233', email: 'nul@contoso.example', display_name: 'Nul\u0000Byte' },
    ]);
    expect(byLine((await importFile(json, 'application/json')).body!)[1]).toMatchObject({
      outcome: 'rejected',
      reason: 'display_name holds a line break or control character',
    });
    expect((await directory('/organisations?q=C-910002')).organisations).toEqual([]);
    expect((await directory('/profiles?q=Red')).profiles).toEqual([]);
  });

  it('refuses JSON nested thousands deep with a 400 that says what an import looks like, and rejects a row whose cell is a list', async () => {
    const deep = `[{"account_number": "C-104233", "email": "deep@contoso.example", "display_name": ${'['.repeat(5000)}${']'.repeat(5000)}}]`;
    const refused = await importFile(deep, 'application/json');
    expect({ status: refused.status, error: refused.body!.error }).toEqual({ status: 400, error: 'import_unreadable' });
    expect(refused.body!.message).toContain(
      'nested more than 4 deep; an import is rows of values, as [{"email": "…"}]',
    );
    expect(
      (await importFile(`{"rows": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 'application/json')).status,
    ).toBe(400);

    const listCell = JSON.stringify({
      rows: [{ account_number: 'C-104233', email: 'list@contoso.example', display_name: ['List', 'Cell'] }],
    });
    const report = (await importFile(listCell, 'application/json')).body!;
    expect(byLine(report)[1]).toMatchObject({
      outcome: 'rejected',
      reason: 'display_name is a list or an object, not text',
    });
    expect((await directory('/profiles?email=deep@contoso.example')).profiles).toEqual([]);
  });

  it('gives messages in JSON as written: an apostrophe or < in a column name comes back as itself, not as an HTML entity', async () => {
    const refused = await importFile("account_number,O'Brien <notes>\nC-1,x\n", 'text/csv');
    expect(refused.status).toBe(400);
    expect(refused.body!.message).toContain("no email column (found: account_number, O'Brien <notes>)");
    expect(refused.body!.message).not.toMatch(/&#x27;|&lt;|&gt;|&quot;|&amp;/);
  });

  it('refuses a file it cannot read at all with a message that says how to fix it, and imports nothing', async () => {
    const noEmail = await importFile('account_number,name\r\nC-1,Someone\r\n', 'text/csv');
    expect(noEmail.status).toBe(400);
    expect(noEmail.body).toMatchObject({ error: 'import_unreadable' });
    expect(noEmail.body!.message).toContain('no email column');
    expect(noEmail.body!.message).toContain('nothing was imported');
    expect((await importFile('{"rows": 3}', 'application/json')).body!.error).toBe('import_unreadable');
    expect((await importFile('[{"a":', 'application/json')).body!.message).toContain('not readable as JSON');
    expect((await importFile('a,"b\n', 'text/csv')).body!.error).toBe('import_unreadable');
    expect((await importFile('account_number,email\n', 'text/plain')).status).toBe(415);
    const huge = await importFile(`account_number,email\n${'C-1,a@b.example\n'.repeat(700_000)}`, 'text/csv');
    expect({ status: huge.status, error: huge.body?.error }).toEqual({ status: 413, error: 'too_large' });
    expect((await directory('/organisations?limit=500')).organisations).toHaveLength(4);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminApi, commandLineOf } from '../support/admin-api.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';

const ROOT = { id: 'root-admin', secret: 'root-admin-secret-0123456789abcdefghij' };
/** The shipped kinds plus one of the operator's own. */
const KINDS = ['customer', 'partner', 'employee', 'supplier'];
const REFUSED = 'kind must be one of customer, partner, employee, supplier';

let broker: TestBroker;
let admin: ReturnType<typeof adminApi>;
const tokens: Record<string, string> = {};

// One broker for the file: each test writes records of its own (account numbers, client ids) and counts only those.
beforeAll(async () => {
  broker = await startBroker({
    admin: { clientId: ROOT.id, clientSecret: ROOT.secret },
    directory: { profileKinds: KINDS },
  });
  admin = adminApi(broker.issuer, ROOT);
  for (const area of ['directory', 'clients']) tokens[area] = await admin.token(`admin:${area}`);
});
afterAll(() => broker.close());

const directory = (method: string, path: string, body?: unknown) =>
  admin.call(method, `/directory${path}`, tokens.directory, body);
const organisationsOfKind = async (kind: string) =>
  (await directory('GET', `/organisations?kind=${kind}&limit=500`)).body!.organisations as { account_number: string }[];
const importCsv = (content: string) =>
  admin.call('POST', '/directory/imports', tokens.directory, content, { 'content-type': 'text/csv' });
/** `npm run admin -- …`, through the command line's own parsing and printing, with the broker's kinds. */
const command = (...argv: string[]) => commandLineOf(broker)(...argv);

describe('a kind the operator configured', () => {
  it('is accepted by the admin API: created, listed by kind, replaced', async () => {
    const created = await directory('POST', '/organisations', {
      account_number: 'S-500001',
      name: 'Adatum Supplies',
      kind: 'supplier',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ account_number: 'S-500001', kind: 'supplier' });
    expect((await organisationsOfKind('supplier')).map((o) => o.account_number)).toContain('S-500001');
    const replaced = await directory('PUT', `/organisations/${created.body!.id}`, {
      account_number: 'S-500001',
      name: 'Adatum Supplies',
      kind: 'employee',
    });
    expect(replaced.body).toMatchObject({ kind: 'employee' });
  });

  it('is accepted by an import, row by row, while a row of an unknown kind is rejected with the allowed kinds and not written', async () => {
    const report = await importCsv(
      [
        'account_number,organisation_name,kind,email,display_name',
        'S-500002,Litware Parts,Supplier,sam@litware.example,Sam Stone',
        'V-500003,Vendor Co,vendor,val@vendor.example,Val Vance',
        '',
      ].join('\r\n'),
    );
    expect(report.status).toBe(200);
    expect(report.body!.details).toEqual([
      expect.objectContaining({ line: 2, outcome: 'created', account_number: 'S-500002' }),
      expect.objectContaining({ line: 3, outcome: 'rejected', reason: REFUSED }),
    ]);
    expect((await organisationsOfKind('supplier')).map((o) => o.account_number)).toContain('S-500002');
    expect((await directory('GET', '/organisations?q=V-500003')).body!.organisations).toEqual([]);
  });

  it('is accepted by the command line, which refuses an unknown kind naming the allowed ones, writing nothing', async () => {
    const created = await command(
      'organisations',
      'create',
      '--account-number',
      'S-500004',
      '--name',
      'Proseware Parts',
      '--kind',
      'supplier',
      '--json',
    );
    expect(created.exitCode).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ account_number: 'S-500004', kind: 'supplier' });
    const listed = await command('organisations', 'list', '--kind', 'supplier');
    expect(listed.stdout).toContain('S-500004');

    const refused = await command(
      'organisations',
      'create',
      '--account-number',
      'V-500005',
      '--name',
      'Vendor Co',
      '--kind',
      'vendor',
    );
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(`invalid value: ${REFUSED}`);
    expect((await command('organisations', 'list', '--kind', 'vendor')).stderr).toContain(REFUSED);
    expect((await directory('GET', '/organisations?q=V-500005')).body!.organisations).toEqual([]);
  });
});

describe('an unknown kind', () => {
  it('is refused by the admin API with 400 naming the allowed kinds, and nothing is written', async () => {
    const before = (await directory('GET', '/organisations?limit=500')).body!.organisations.length;
    const refused = await directory('POST', '/organisations', {
      account_number: 'V-500006',
      name: 'Vendor Co',
      kind: 'vendor',
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_input' });
    expect(refused.body!.message).toContain(REFUSED);
    const filtered = await directory('GET', '/organisations?kind=vendor');
    expect(filtered.status).toBe(400);
    expect(filtered.body!.message).toContain(REFUSED);
    expect((await directory('GET', '/organisations?limit=500')).body!.organisations).toHaveLength(before);
  });

  it("is refused in a portal's admitted kinds with 400 naming the configured kinds; configured ones register", async () => {
    const portal = {
      client_name: 'Supplier portal',
      redirect_uris: ['https://suppliers.example/cb'],
      grant_types: ['authorization_code'],
    };
    const refused = await admin.call('POST', '/clients', tokens.clients, {
      ...portal,
      client_id: 'vendor-portal',
      profile_kinds: ['supplier', 'vendor'],
    });
    expect(refused.status).toBe(400);
    expect(refused.body!.message).toContain('"vendor" is not a configured kind');
    expect(refused.body!.message).toContain('must be one of customer, partner, employee, supplier');
    expect((await admin.call('GET', '/clients/vendor-portal', tokens.clients)).status).toBe(404);

    const registered = await admin.call('POST', '/clients', tokens.clients, {
      ...portal,
      client_id: 'supplier-portal',
      profile_kinds: ['supplier', 'employee'],
    });
    expect(registered.status).toBe(201);
    expect(registered.body!.client.metadata).toMatchObject({ profile_kinds: ['supplier', 'employee'] });
  });
});

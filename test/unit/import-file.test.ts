import { describe, expect, it } from '@jest/globals';
import { MAX_IMPORT_ROWS, parseCsvImport, parseCsvLines, parseJsonImport } from '../../src/directory/import-file.ts';
import { AppError } from '../../src/shared/errors.ts';

/** The refusal of a whole file: a 400 import_unreadable naming the problem. */
async function refusal(parsing: Promise<unknown>): Promise<string> {
  const err = await parsing.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect(err).toMatchObject({ status: 400, code: 'import_unreadable' });
  return (err as AppError).message;
}

describe('reading a CSV import', () => {
  it('maps the headers people write to the columns, and names the columns nobody reads', async () => {
    const parsed = await parseCsvImport(
      'Account No,Company, Type ,E-mail Address,Full Name,Registered-Email-Typo\nC-1,Contoso,customer,a@c.example,Ann,x\n',
    );
    expect(parsed.rows).toEqual([
      {
        line: 2,
        values: {
          account_number: 'C-1',
          organisation_name: 'Contoso',
          kind: 'customer',
          email: 'a@c.example',
          display_name: 'Ann',
        },
      },
    ]);
    expect(parsed.ignoredColumns).toEqual(['Registered-Email-Typo']);
    expect([...parsed.columns].sort()).toEqual([
      'account_number',
      'display_name',
      'email',
      'kind',
      'organisation_name',
    ]);
  });

  it('takes a byte-order mark, CRLF, blank lines, spaces around values, and quoted commas and line breaks', async () => {
    const parsed = await parseCsvImport(
      '\uFEFFaccount_number,organisation_name,email,display_name\r\n' +
        '\r\n' +
        ' C-1 , "Alpine, Inc" ,a@alpine.example,Ann\r\n' +
        'C-1,"Two\r\nLines",b@alpine.example,Ben\r\n' +
        'C-1,Alpine,c@alpine.example,Cy\r\n',
    );
    expect(parsed.rows.map((r) => [r.line, r.values.account_number, r.values.organisation_name])).toEqual([
      [3, 'C-1', 'Alpine, Inc'],
      // A row spanning lines is reported at its first line; the next row's number counts both.
      [4, 'C-1', 'Two\nLines'],
      [6, 'C-1', 'Alpine'],
    ]);
  });

  it('keeps a row with the wrong number of fields, to be rejected on its own', async () => {
    const parsed = await parseCsvImport('account_number,email\nC-1\nC-1,a@b.example,extra\nC-1,c@d.example');
    expect(parsed.rows.map((r) => [r.line, r.problem])).toEqual([
      [2, '1 fields where the header has 2'],
      [3, '3 fields where the header has 2'],
      [4, undefined],
    ]);
  });

  it('refuses a file without the columns that place a row, or with two columns meaning one', async () => {
    expect(await refusal(parseCsvImport('email,display_name\na@b.example,A'))).toBe(
      'no account_number column (found: email, display_name)',
    );
    expect(await refusal(parseCsvImport('account_number,name\nC-1,A'))).toBe(
      'no email column (found: account_number, name)',
    );
    expect(await refusal(parseCsvImport('account_number,email,Email Address\nC-1,a@b.example,a@b.example'))).toBe(
      'two columns mean email: "Email Address" and an earlier one',
    );
    expect(await refusal(parseCsvImport(''))).toBe('the file is empty');
    expect(await refusal(parseCsvImport('account_number,email\n"C-1,a@b.example'))).toMatch(/^not readable as CSV: /);
  });

  it('treats a header named like object machinery as an unknown column', async () => {
    const parsed = await parseCsvImport('account_number,email,constructor,__proto__\nC-1,a@b.example,x,y');
    expect(parsed.ignoredColumns).toEqual(['constructor', '__proto__']);
    expect(parsed.rows[0]!.values).toEqual({ account_number: 'C-1', email: 'a@b.example' });
  });

  it(`refuses more than ${MAX_IMPORT_ROWS} rows`, async () => {
    const rows = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `C-1,p${i}@b.example`);
    expect(await refusal(parseCsvImport(['account_number,email', ...rows].join('\n')))).toBe(
      `more than ${MAX_IMPORT_ROWS} rows; at most ${MAX_IMPORT_ROWS} per import`,
    );
    const parsed = await parseCsvImport(['account_number,email', ...rows.slice(1)].join('\n'));
    expect(parsed.rows).toHaveLength(MAX_IMPORT_ROWS);
  });
});

describe('reading pasted CSV lines', () => {
  it('reads lines without a header as the given columns, each with its line number', async () => {
    const parsed = await parseCsvLines('Ann Ash,ann@a.example\n\n"Bell, Ben", ben@a.example \nCy\n', [
      'display_name',
      'email',
    ]);
    expect(parsed.rows).toEqual([
      { line: 1, values: { display_name: 'Ann Ash', email: 'ann@a.example' } },
      { line: 3, values: { display_name: 'Bell, Ben', email: 'ben@a.example' } },
      {
        line: 4,
        values: { display_name: 'Cy' },
        problem: '1 fields where a line has 2: display_name, email',
        why: { code: 'field_count', values: { count: 1 } },
      },
    ]);
    expect([...parsed.columns]).toEqual(['display_name', 'email']);
  });

  it('takes a first line naming exactly the columns as a header, in its order', async () => {
    const parsed = await parseCsvLines('E-mail,Full Name\nann@a.example,Ann', ['display_name', 'email']);
    expect(parsed.rows).toEqual([{ line: 2, values: { display_name: 'Ann', email: 'ann@a.example' } }]);
    // A header naming another column is an ordinary line, rejected for its field count or its values.
    const other = await parseCsvLines('name,email,role\nAnn,ann@a.example', ['display_name', 'email']);
    expect(other.rows.map((r) => [r.line, r.problem])).toEqual([
      [1, '3 fields where a line has 2: display_name, email'],
      [2, undefined],
    ]);
  });

  it('refuses text with no lines, or not readable as CSV', async () => {
    expect(await refusal(parseCsvLines(' \n\n', ['display_name', 'email']))).toBe('no lines to read');
    expect(await refusal(parseCsvLines('"Ann,a@b.example', ['display_name', 'email']))).toMatch(
      /^not readable as CSV: /,
    );
  });
});

describe('reading a JSON import', () => {
  it('takes an array of rows or {"rows": [...]}, any common spelling, numbers and booleans as text', async () => {
    const rows = [{ 'Account Number': 1234, Email: ' a@b.example ', 'display-name': 'Ann', role: null, extra: true }];
    for (const content of [JSON.stringify(rows), `\uFEFF${JSON.stringify({ rows })}`]) {
      const parsed = await parseJsonImport(content);
      expect(parsed.rows).toEqual([
        { line: 1, values: { account_number: '1234', email: 'a@b.example', display_name: 'Ann' } },
      ]);
      expect(parsed.ignoredColumns).toEqual(['extra']);
    }
  });

  it('keeps a row that is not an object, holds a list or object, or names a column twice, to be rejected on its own', async () => {
    const parsed = await parseJsonImport(
      JSON.stringify([
        { account_number: 'C-1', email: 'a@b.example' },
        ['C-1', 'b@b.example'],
        'C-1',
        { account_number: 'C-1', email: ['c@b.example'] },
        { account_number: 'C-1', email: 'd@b.example', 'E-mail': 'e@b.example' },
      ]),
    );
    expect(parsed.rows.map((r) => [r.line, r.problem])).toEqual([
      [1, undefined],
      [2, 'not an object'],
      [3, 'not an object'],
      [4, 'email is a list or an object, not text'],
      [5, 'two properties mean email'],
    ]);
  });

  it('refuses what is not rows, rows without the placing columns, and nesting deeper than rows of values', async () => {
    expect(await refusal(parseJsonImport('{"account_number": "C-1"'))).toMatch(/^not readable as JSON: /);
    expect(await refusal(parseJsonImport('{"people": []}'))).toBe(
      'expected an array of rows, or an object with a "rows" array',
    );
    expect(await refusal(parseJsonImport('[{"account_number": "C-1", "name": "A"}]'))).toBe(
      'no email column (found: account_number, name)',
    );
    expect(await refusal(parseJsonImport('{"rows": [{"email": [["a"]]}]}'))).toMatch(
      /^lists or objects nested more than 4 deep/,
    );
    expect((await parseJsonImport('{"rows": [{"account_number": "C-1", "email": ["a"]}]}')).rows).toHaveLength(1);
    expect((await parseJsonImport('[]')).rows).toEqual([]);
  });

  it(`refuses more than ${MAX_IMPORT_ROWS} rows`, async () => {
    const rows = Array.from({ length: MAX_IMPORT_ROWS + 1 }, () => ({}));
    expect(await refusal(parseJsonImport(JSON.stringify(rows)))).toBe(
      `${MAX_IMPORT_ROWS + 1} rows; at most ${MAX_IMPORT_ROWS} per import`,
    );
  });
});

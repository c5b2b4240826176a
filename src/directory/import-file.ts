import { parse, type Options } from 'csv-parse';
import { finished } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { AppError } from '../shared/errors.ts';
import { takeTurns } from '../shared/take-turns.ts';
import type { RowWhy } from './row-reason.ts';

/** One row of an import file, by line (CSV) or position (JSON), its values by canonical column name. */
export interface ImportRow {
  line: number;
  values: Partial<Record<ImportColumn, string>>;
  /** Set when the row cannot be read at all (wrong number of fields, not an object). */
  problem?: string;
  /** The problem as a code, for pages in the reader's language. */
  why?: RowWhy;
}

export const IMPORT_COLUMNS = [
  'account_number',
  'organisation_name',
  'kind',
  'contract_ends_on',
  'email',
  'display_name',
  'role',
  'status',
  'locale',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/**
 * Headers people actually write, compared without case, spaces, dashes or underscores. A Map, so that a column named
 * like an object's own machinery (`constructor`, `__proto__`, `toString`) is an unknown column like any other.
 */
const ALIASES = new Map<string, ImportColumn>(
  Object.entries({
    accountnumber: 'account_number',
    account: 'account_number',
    accountno: 'account_number',
    organisationname: 'organisation_name',
    organizationname: 'organisation_name',
    organisation: 'organisation_name',
    organization: 'organisation_name',
    company: 'organisation_name',
    kind: 'kind',
    organisationkind: 'kind',
    organizationkind: 'kind',
    type: 'kind',
    contractendson: 'contract_ends_on',
    contractend: 'contract_ends_on',
    contractenddate: 'contract_ends_on',
    email: 'email',
    registeredemail: 'email',
    emailaddress: 'email',
    displayname: 'display_name',
    name: 'display_name',
    fullname: 'display_name',
    role: 'role',
    status: 'status',
    profilestatus: 'status',
    locale: 'locale',
    language: 'locale',
    preferredlanguage: 'locale',
  } satisfies Record<string, ImportColumn>),
);

const canonical = (header: string): ImportColumn | undefined =>
  ALIASES.get(header.toLowerCase().replace(/[\s_-]+/g, ''));

export interface ParsedImport {
  rows: ImportRow[];
  /** Columns nobody reads, named so that a misspelt header is noticed. */
  ignoredColumns: string[];
  /** Columns the file has (contract_ends_on absent means "leave contracts as they are"). */
  columns: Set<ImportColumn>;
}

export const MAX_IMPORT_ROWS = 50_000;

// Messages for people live in the catalogue (errors.message.<code>); the message here names what is wrong for the
// log and the API.
const unreadable = (message: string) =>
  new AppError(400, 'import_unreadable', message, { details: { problem: message } });

/** Without these a row cannot be placed: the whole file is refused, naming what it has instead. */
function requireColumns(columns: Set<ImportColumn>, found: string[]) {
  for (const required of ['account_number', 'email'] as const) {
    if (!columns.has(required)) throw unreadable(`no ${required} column (found: ${found.join(', ') || 'none'})`);
  }
}

function mapColumns(headers: string[]) {
  const mapped = headers.map((h) => canonical(h.trim()));
  const ignoredColumns = headers.filter((h, i) => !mapped[i] && h.trim()).map((h) => h.trim());
  const seen = new Set<ImportColumn>();
  for (const [i, column] of mapped.entries()) {
    if (!column) continue;
    if (seen.has(column)) throw unreadable(`two columns mean ${column}: "${headers[i]!.trim()}" and an earlier one`);
    seen.add(column);
  }
  requireColumns(
    seen,
    headers.map((h) => h.trim()),
  );
  return { mapped, ignoredColumns, columns: seen };
}

interface CsvRecord {
  record: string[];
  info: { lines: number };
  raw: string;
}

/** Characters handed to the CSV parser at a time, a turn of the event loop apart (a 10 MB file is 160 slices). */
const CSV_SLICE = 64 * 1024;

/**
 * The records of a CSV text, parsed a slice at a time so that a large file does not hold up every other request.
 * Stops reading once the file has more rows than an import takes.
 */
async function csvRecords(text: string, options: Options): Promise<CsvRecord[]> {
  const parser = parse(options);
  const records: CsvRecord[] = [];
  parser.on('data', (record: CsvRecord) => {
    records.push(record);
    // The header and one row more than allowed are enough to refuse the file.
    if (records.length > MAX_IMPORT_ROWS + 1)
      parser.destroy(unreadable(`more than ${MAX_IMPORT_ROWS} rows; at most ${MAX_IMPORT_ROWS} per import`));
  });
  const done = finished(parser);
  // The parser may fail (a stray quote, too many rows) while a slice waits for its turn: the failure is awaited
  // below, and must not count as unhandled meanwhile (that would end the process).
  done.catch(() => undefined);
  let start = 0;
  while (start < text.length && !parser.destroyed) {
    let end = Math.min(start + CSV_SLICE, text.length);
    // Never between the two halves of a surrogate pair: each slice is encoded on its own.
    if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end -= 1;
    parser.write(text.slice(start, end));
    start = end;
    await nextTurn();
  }
  if (!parser.destroyed) parser.end();
  await done;
  return records;
}

/** The records of a CSV text as the import reads them; a text the parser cannot read is refused whole. */
async function readCsv(content: string): Promise<CsvRecord[]> {
  try {
    // One kind of line end, so that line numbers count as an editor does (a quoted CRLF becomes a line break).
    const text = content.replace(/\r\n?/g, '\n');
    return await csvRecords(text, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      info: true,
      raw: true,
    });
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw unreadable(`not readable as CSV: ${(err as Error).message}`);
  }
}

/**
 * Rows from CSV records, each field under the column of its position (`mapped[i]`, undefined for an ignored one);
 * `expected` says how many fields a row should have and why, for one that has another number.
 */
async function rowsOf(
  records: CsvRecord[],
  mapped: (ImportColumn | undefined)[],
  expected = `the header has ${mapped.length}`,
): Promise<ImportRow[]> {
  const turn = takeTurns();
  const rows: ImportRow[] = [];
  for (const { record, info, raw } of records) {
    await turn();
    const values: ImportRow['values'] = {};
    mapped.forEach((column, i) => {
      if (column && record[i] !== undefined) values[column] = record[i];
    });
    // The parser counts to the record's last line; a report names its first (a quoted field may span lines).
    const spans = raw.replace(/^\n+/, '').replace(/\n$/, '').split('\n').length - 1;
    const line = info.lines - spans;
    // A row whose field count differs from the header's would put values under the wrong columns.
    rows.push(
      record.length === mapped.length
        ? { line, values }
        : {
            line,
            values,
            problem: `${record.length} fields where ${expected}`,
            why: { code: 'field_count', values: { count: record.length } },
          },
    );
  }
  return rows;
}

/**
 * Reads a CSV import: a header row, then one profile per row (with its organisation's columns). A byte-order mark,
 * CRLF line ends, quoted fields with commas or line breaks, blank lines and surrounding spaces are all fine. A row
 * with the wrong number of fields is kept, so that it is reported as rejected rather than stopping the file.
 */
export async function parseCsvImport(content: string): Promise<ParsedImport> {
  const records = await readCsv(content);
  if (!records.length) throw unreadable('the file is empty');
  const { mapped, ignoredColumns, columns } = mapColumns(records[0]!.record);
  return { rows: await rowsOf(records.slice(1), mapped), ignoredColumns, columns };
}

/**
 * Reads CSV lines without a header row, the fields of each being `columns` in that order: text pasted into a form
 * ("name, email" a line), read as a file's rows are. A first line naming exactly these columns (in any order and any
 * spelling a header may use: "Name,E-mail") is taken as the header people often copy along, and read as one.
 * A line with another number of fields is kept, to be rejected on its own.
 */
export async function parseCsvLines(content: string, columns: readonly ImportColumn[]): Promise<ParsedImport> {
  const records = await readCsv(content);
  if (!records.length) throw unreadable('no lines to read');
  const header = records[0]!.record.map((field) => canonical(field));
  const isHeader =
    header.length === columns.length &&
    columns.every((column) => header.includes(column)) &&
    new Set(header).size === header.length;
  const mapped = isHeader ? header : [...columns];
  return {
    rows: await rowsOf(
      isHeader ? records.slice(1) : records,
      mapped,
      isHeader ? undefined : `a line has ${columns.length}: ${columns.join(', ')}`,
    ),
    ignoredColumns: [],
    columns: new Set(columns),
  };
}

/** `{"rows": [{"column": [...]}]}`: a row's cell holding a list is the deepest a file can go and still be read row by row. */
const MAX_JSON_NESTING = 4;

/**
 * Whether `value` nests lists and objects more than `limit` deep. Walked with a stack of its own, not by recursion: a
 * file nested a million deep must be refused, not overflow the call stack.
 */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: { value: object; depth: number }[] = value && typeof value === 'object' ? [{ value, depth: 1 }] : [];
  while (stack.length) {
    const { value: next, depth } = stack.pop()!;
    if (depth > limit) return true;
    for (const child of Object.values(next))
      if (child && typeof child === 'object') stack.push({ value: child as object, depth: depth + 1 });
  }
  return false;
}

/** A JSON value as an import cell: text, a number or true/false; a list or an object is not a cell (and may nest without end). */
const cell = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value.trim()
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : undefined;

/** Reads a JSON import: an array of objects (or `{ "rows": [...] }`) with the CSV's column names, any common spelling. */
export async function parseJsonImport(content: string): Promise<ParsedImport> {
  let data: unknown;
  try {
    data = JSON.parse(content.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw unreadable(`not readable as JSON: ${(err as Error).message}`);
  }
  if (nestsDeeperThan(data, MAX_JSON_NESTING)) {
    throw unreadable(
      `lists or objects nested more than ${MAX_JSON_NESTING} deep; an import is rows of values, as [{"email": "…"}] or {"rows": [{"email": "…"}]}`,
    );
  }
  const items = Array.isArray(data) ? data : (data as { rows?: unknown })?.rows;
  if (!Array.isArray(items)) throw unreadable('expected an array of rows, or an object with a "rows" array');
  if (items.length > MAX_IMPORT_ROWS) throw unreadable(`${items.length} rows; at most ${MAX_IMPORT_ROWS} per import`);
  const keys = [
    ...new Set(
      items.flatMap((item) => (item && typeof item === 'object' && !Array.isArray(item) ? Object.keys(item) : [])),
    ),
  ];
  const columns = new Set(keys.map(canonical).filter((c): c is ImportColumn => Boolean(c)));
  if (items.length) requireColumns(columns, keys);
  const ignoredColumns = keys.filter((k) => !canonical(k));
  const turn = takeTurns();
  const rows: ImportRow[] = [];
  for (const [index, item] of items.entries()) {
    await turn();
    rows.push(jsonRow(item, index + 1));
  }
  return { rows, ignoredColumns, columns };
}

function jsonRow(item: unknown, line: number): ImportRow {
  const values: ImportRow['values'] = {};
  if (!item || typeof item !== 'object' || Array.isArray(item))
    return { line, values, problem: 'not an object', why: { code: 'not_an_object' } };
  for (const [key, value] of Object.entries(item as Record<string, unknown>)) {
    const column = canonical(key);
    if (!column || value === null || value === undefined) continue;
    if (values[column] !== undefined)
      return {
        line,
        values,
        problem: `two properties mean ${column}`,
        why: { code: 'two_properties', values: { column } },
      };
    const text = cell(value);
    if (text === undefined)
      return {
        line,
        values,
        problem: `${column} is a list or an object, not text`,
        why: { code: 'not_text', values: { column } },
      };
    values[column] = text;
  }
  return { line, values };
}

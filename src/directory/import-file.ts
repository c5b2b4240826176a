import { parse } from 'csv-parse/sync';
import { AppError } from '../shared/errors.ts';

/** One row of an import file, by line (CSV) or position (JSON), its values by canonical column name. */
export interface ImportRow {
  line: number;
  values: Partial<Record<ImportColumn, string>>;
  /** Set when the row cannot be read at all (wrong number of fields, not an object). */
  problem?: string;
}

export const IMPORT_COLUMNS = ['account_number', 'organisation_name', 'kind', 'contract_ends_on', 'email', 'display_name', 'role', 'status'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** Headers people actually write, compared without case, spaces, dashes or underscores. */
const ALIASES: Record<string, ImportColumn> = {
  accountnumber: 'account_number', account: 'account_number', accountno: 'account_number',
  organisationname: 'organisation_name', organizationname: 'organisation_name', organisation: 'organisation_name', organization: 'organisation_name', company: 'organisation_name',
  kind: 'kind', organisationkind: 'kind', organizationkind: 'kind', type: 'kind',
  contractendson: 'contract_ends_on', contractend: 'contract_ends_on', contractenddate: 'contract_ends_on',
  email: 'email', registeredemail: 'email', emailaddress: 'email',
  displayname: 'display_name', name: 'display_name', fullname: 'display_name',
  role: 'role',
  status: 'status', profilestatus: 'status',
};

const canonical = (header: string): ImportColumn | undefined => ALIASES[header.toLowerCase().replace(/[\s_-]+/g, '')];

export interface ParsedImport {
  rows: ImportRow[];
  /** Columns nobody reads, named so that a misspelt header is noticed. */
  ignoredColumns: string[];
  /** Columns the file has (contract_ends_on absent means "leave contracts as they are"). */
  columns: Set<ImportColumn>;
}

export const MAX_IMPORT_ROWS = 50_000;

// Messages for people live in views/errors/messages/<code>.hbs; the message here names what is wrong for the log and the API.
const unreadable = (message: string) => new AppError(400, 'import_unreadable', message, { details: { problem: message } });

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
  requireColumns(seen, headers.map((h) => h.trim()));
  return { mapped, ignoredColumns, columns: seen };
}

/**
 * Reads a CSV import: a header row, then one profile per row (with its organisation's columns). A byte-order mark,
 * CRLF line ends, quoted fields with commas or line breaks, blank lines and surrounding spaces are all fine. A row
 * with the wrong number of fields is kept, so that it is reported as rejected rather than stopping the file.
 */
export function parseCsvImport(content: string): ParsedImport {
  let records: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    // One kind of line end, so that line numbers count as an editor does (a quoted CRLF becomes a line break).
    const text = content.replace(/\r\n?/g, '\n');
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, info: true, raw: true }) as unknown as typeof records;
  } catch (err) {
    throw unreadable(`not readable as CSV: ${(err as Error).message}`);
  }
  if (!records.length) throw unreadable('the file is empty');
  const { mapped, ignoredColumns, columns } = mapColumns(records[0]!.record);
  const rows = records.slice(1).map(({ record, info, raw }): ImportRow => {
    const values: ImportRow['values'] = {};
    mapped.forEach((column, i) => {
      if (column && record[i] !== undefined) values[column] = record[i];
    });
    // The parser counts to the record's last line; a report names its first (a quoted field may span lines).
    const spans = raw.replace(/^\n+/, '').replace(/\n$/, '').split('\n').length - 1;
    const line = info.lines - spans;
    // A row whose field count differs from the header's would put values under the wrong columns.
    return record.length === mapped.length ? { line, values } : { line, values, problem: `${record.length} fields where the header has ${mapped.length}` };
  });
  if (rows.length > MAX_IMPORT_ROWS) throw unreadable(`${rows.length} rows; at most ${MAX_IMPORT_ROWS} per import`);
  return { rows, ignoredColumns, columns };
}

/** Reads a JSON import: an array of objects (or `{ "rows": [...] }`) with the CSV's column names, any common spelling. */
export function parseJsonImport(content: string): ParsedImport {
  let data: unknown;
  try {
    data = JSON.parse(content.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw unreadable(`not readable as JSON: ${(err as Error).message}`);
  }
  const items = Array.isArray(data) ? data : (data as { rows?: unknown })?.rows;
  if (!Array.isArray(items)) throw unreadable('expected an array of rows, or an object with a "rows" array');
  if (items.length > MAX_IMPORT_ROWS) throw unreadable(`${items.length} rows; at most ${MAX_IMPORT_ROWS} per import`);
  const keys = [...new Set(items.flatMap((item) => (item && typeof item === 'object' && !Array.isArray(item) ? Object.keys(item) : [])))];
  const columns = new Set(keys.map(canonical).filter((c): c is ImportColumn => Boolean(c)));
  if (items.length) requireColumns(columns, keys);
  const ignoredColumns = keys.filter((k) => !canonical(k));
  const rows = items.map((item, index): ImportRow => {
    const values: ImportRow['values'] = {};
    if (!item || typeof item !== 'object' || Array.isArray(item)) return { line: index + 1, values, problem: 'not an object' };
    for (const [key, value] of Object.entries(item as Record<string, unknown>)) {
      const column = canonical(key);
      if (!column || value === null || value === undefined) continue;
      if (values[column] !== undefined) return { line: index + 1, values, problem: `two properties mean ${column}` };
      values[column] = typeof value === 'string' ? value.trim() : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
    }
    return { line: index + 1, values };
  });
  return { rows, ignoredColumns, columns };
}

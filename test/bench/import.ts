/**
 * Directory import benchmark: a generated CSV export (BENCH_ROWS rows, 10,000 by default: about a thousand
 * organisations of about ten profiles each, and a few rows with invalid emails) read and imported into each store.
 * For each store, in order: the CSV parse, a dry run, the first import (creates everything), the same file again
 * (changes nothing) and the file with one row in ten renamed (updates). Prints figures; asserts nothing about time,
 * but exits 1 when a report's counts are not what the generated file implies, so that a broken import is not taken
 * for a fast one.
 *
 *   npm run bench:import                            memory store, then MongoDB (FerretDB unless MONGODB_URI is set)
 *   BENCH_STORES=memory npm run bench:import        one store only (memory or mongo)
 *   BENCH_ROWS=50000 npm run bench:import           the largest file an import accepts
 *
 * The store columns say how much of an import is spent in the store's reads and writes, the rest being the
 * import's own checking and planning. MongoDB gets a database of its own, indexes built, dropped at the end.
 */
import type { Connection } from 'mongoose';
import { DEFAULT_PROFILE_KINDS } from '../../src/directory/profile-kinds.ts';
import type { DirectoryAdminStore } from '../../src/directory/directory-admin-store.ts';
import { importDirectory, type ImportDeps, type ImportReport } from '../../src/directory/import-directory.ts';
import { MAX_IMPORT_ROWS, parseCsvImport, type ParsedImport } from '../../src/directory/import-file.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { randomToken } from '../../src/shared/ids.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { createMemoryAuditLog } from '../../src/stores/memory/audit-log.ts';
import { createMemoryDirectory } from '../../src/stores/memory/directory.ts';
import { createMongoAuditLog } from '../../src/stores/mongo/audit-log.ts';
import { createMongoConnection } from '../../src/stores/mongo/connection.ts';
import { createMongoDirectory } from '../../src/stores/mongo/directory.ts';
import { brokerModels } from '../../src/stores/mongo/models.ts';
import { startMongo } from '../support/mongo.ts';
import { ALL_ADMIN_SCOPES } from '../../src/clients/admin-scopes.ts';

const STORES = ['memory', 'mongo'] as const;
type StoreName = (typeof STORES)[number];

const totalRows = Number(process.env.BENCH_ROWS ?? 10_000);
const storeNames = (process.env.BENCH_STORES ?? STORES.join(','))
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
if (!Number.isInteger(totalRows) || totalRows < 10 || totalRows > MAX_IMPORT_ROWS) {
  process.stderr.write(`BENCH_ROWS must be a whole number from 10 to ${MAX_IMPORT_ROWS} (an import takes no more)\n`);
  process.exit(2);
}
if (!storeNames.length || storeNames.some((s) => !(STORES as readonly string[]).includes(s))) {
  process.stderr.write(`BENCH_STORES must name stores among ${STORES.join(', ')}, comma-separated\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------------------------
// The file: what a CRM export looks like, generated the same on every run so that runs compare.

const FIRST = [
  'Anna',
  'Ben',
  'Chloé',
  'David',
  'Eva',
  'Farid',
  'Grace',
  'Hugo',
  'Ines',
  'Jonas',
  'Katrin',
  'Liam',
  'Maya',
  'Noah',
  'Olga',
  'Pedro',
  'Rosa',
  'Sven',
  'Tara',
  'Yusuf',
];
const LAST = [
  'Andersen',
  'Bauer',
  'Costa',
  'Dubois',
  'Evans',
  'Fischer',
  'García',
  'Hansen',
  'Ivanova',
  'Jansen',
  'Kowalski',
  'Lambert',
  'Moreau',
  "O'Brien",
  'Novak',
  'Petrov',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Weber',
];
const ORG_WORDS = [
  'Northwind',
  'Harbour',
  'Bluebell',
  'Granite',
  'Silverline',
  'Meadow',
  'Ironbridge',
  'Larkspur',
  'Oakridge',
  'Redfern',
];
const ORG_TRADES = ['Dental', 'Clinic', 'Optics', 'Pharmacy', 'Physio', 'Veterinary', 'Hearing', 'Labs'];
const ORG_FORMS = ['Ltd', 'GmbH', 'BV', 'SARL', 'Group', 'Partners'];
/** Each one a typing or export mistake seen in real files; the import must reject the row and go on. */
const BAD_EMAILS = [
  'anna.bauer(at)harbour.example',
  'ben.costa@',
  '@oakridge.example',
  'grace hansen@meadow.example',
  'hugo..ivanova@labs.example',
  'katrin.lambert',
];
const HEADER = 'Account Number,Organisation Name,Kind,Contract ends on,Email,Display Name,Role,Status';

interface GeneratedRow {
  account: string;
  organisation: string;
  kind: string;
  contractEndsOn: string;
  email: string;
  displayName: string;
  role: string;
  status: string;
  /** Set on every tenth valid row: its display name in the third file. */
  renamedTo?: string;
}

/** xorshift32: a fixed seed gives the same file every run, which Math.random would not. */
function seededRandom(seed: number) {
  let x = seed | 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function generate(total: number) {
  const random = seededRandom(0x5eed1234);
  const below = (n: number) => Math.floor(random() * n);
  const pick = <T>(list: readonly T[]) => list[below(list.length)]!;
  const pad = (n: number) => String(n).padStart(2, '0');
  const invalid = Math.max(1, Math.round(total / 1000));
  const valid = total - invalid;
  const blocks: GeneratedRow[][] = [];
  let made = 0;
  let renamed = 0;
  while (made < valid) {
    const o = blocks.length;
    const size = Math.min(valid - made, 5 + below(11)); // 5 to 15 profiles, about 10 on average
    const kind = o % 4 === 3 ? 'partner' : 'customer';
    const stem = `${pick(ORG_WORDS)} ${pick(ORG_TRADES)}`;
    // Legal names with commas and quotes are common; the file must quote them and the parser undo it.
    const organisation =
      o % 5 === 0
        ? `${stem}, ${pick(LAST)} & Co`
        : o % 50 === 7
          ? `The "${stem}" Cooperative`
          : `${stem} ${pick(ORG_FORMS)}`;
    const contractEndsOn =
      kind === 'customer' && random() < 0.6 ? `${2026 + below(3)}-${pad(1 + below(12))}-${pad(1 + below(28))}` : '';
    const domain = `${stem.toLowerCase().replace(/[^a-z]+/g, '-')}-${o}.example`;
    const block: GeneratedRow[] = [];
    for (let p = 0; p < size; p++) {
      const first = pick(FIRST);
      const last = pick(LAST);
      // Some people are listed surname first, with a comma; half the organisations leave the first row's role to
      // the import (the first profile of an organisation becomes its administrator).
      const named = (surname: string) => (p % 30 === 29 ? `${surname}, ${first}` : `${first} ${surname}`);
      const local = `${first}.${last}.${p}`.normalize('NFD').replace(/[^A-Za-z0-9.]/g, '');
      const row: GeneratedRow = {
        account: `AC-${100_000 + o}`,
        organisation,
        kind,
        contractEndsOn,
        // Exports keep whatever case people typed; the import normalises it.
        email: p % 7 === 3 ? `${local}@${domain.toUpperCase()}` : `${local}@${domain}`.toLowerCase(),
        displayName: named(last),
        role: p === 0 ? (o % 2 ? 'administrator' : '') : random() < 0.5 ? 'professional' : '',
        status: random() < 0.03 ? 'disabled' : 'active',
      };
      if ((made + p) % 10 === 0) {
        row.renamedTo = named(LAST[(LAST.indexOf(last) + 1) % LAST.length]!);
        renamed += 1;
      }
      block.push(row);
    }
    blocks.push(block);
    made += size;
  }
  // Each bad row goes second in its organisation, so that the first (valid) row still creates the organisation.
  for (let i = 0; i < invalid; i++) {
    const block = blocks[Math.floor((i * blocks.length) / invalid)]!;
    block.splice(1, 0, {
      ...block[0]!,
      email: BAD_EMAILS[i % BAD_EMAILS.length]!,
      displayName: 'Bad Row',
      role: '',
      renamedTo: undefined,
    });
  }
  return { rows: blocks.flat(), valid, invalid, organisations: blocks.length, renamed };
}

const cell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** As a spreadsheet saves it: a byte-order mark and CRLF line ends. */
function toCsv(rows: GeneratedRow[], renamed: boolean): string {
  const lines = rows.map((r) =>
    [
      r.account,
      r.organisation,
      r.kind,
      r.contractEndsOn,
      r.email,
      renamed && r.renamedTo ? r.renamedTo : r.displayName,
      r.role,
      r.status,
    ]
      .map(cell)
      .join(','),
  );
  return `\uFEFF${[HEADER, ...lines].join('\r\n')}\r\n`;
}

const generated = generate(totalRows);
const csv = toCsv(generated.rows, false);
const renamedCsv = toCsv(generated.rows, true);

// ---------------------------------------------------------------------------------------------------------------
// What each report must say, from what was generated.

interface Counts {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  orgsCreated: number;
  orgsUpdated: number;
  orgsUnchanged: number;
}
const { valid, invalid, organisations, renamed } = generated;
const allNew: Counts = {
  created: valid,
  updated: 0,
  unchanged: 0,
  rejected: invalid,
  orgsCreated: organisations,
  orgsUpdated: 0,
  orgsUnchanged: 0,
};
const phases: { name: string; renamed: boolean; dryRun: boolean; expect: Counts }[] = [
  { name: 'dry run', renamed: false, dryRun: true, expect: allNew },
  { name: 'first import', renamed: false, dryRun: false, expect: allNew },
  {
    name: 'same file again',
    renamed: false,
    dryRun: false,
    expect: { ...allNew, created: 0, unchanged: valid, orgsCreated: 0, orgsUnchanged: organisations },
  },
  {
    name: '10% renamed',
    renamed: true,
    dryRun: false,
    expect: {
      ...allNew,
      created: 0,
      updated: renamed,
      unchanged: valid - renamed,
      orgsCreated: 0,
      orgsUnchanged: organisations,
    },
  },
];

const problems: string[] = [];

function check(store: string, phase: string, report: ImportReport, expect: Counts) {
  const got: Counts = {
    ...report.rows,
    orgsCreated: report.organisations.created,
    orgsUpdated: report.organisations.updated,
    orgsUnchanged: report.organisations.unchanged,
  };
  for (const key of Object.keys(expect) as (keyof Counts)[]) {
    if (got[key] !== expect[key]) problems.push(`${store}, ${phase}: ${key} ${got[key]}, expected ${expect[key]}`);
  }
  if (report.rows.total !== totalRows)
    problems.push(`${store}, ${phase}: ${report.rows.total} rows read, expected ${totalRows}`);
  // The rejections must be the bad emails, not something else that happens to add up.
  const otherReasons = report.details.filter((d) => d.outcome === 'rejected' && !d.reason?.startsWith('email '));
  if (otherReasons.length)
    problems.push(
      `${store}, ${phase}: ${otherReasons.length} rows rejected for another reason than an invalid email, e.g. line ${otherReasons[0]!.line}: ${otherReasons[0]!.reason}`,
    );
}

// ---------------------------------------------------------------------------------------------------------------
// The stores.

interface Target {
  deps: ImportDeps;
  /** Milliseconds spent in the store's reads and writes since the last reset. */
  spent: { reads: number; writes: number };
  note?: string;
  close(): Promise<void>;
}

/** The store, with the time spent in the calls an import makes added up. */
function timed(store: DirectoryAdminStore): { store: DirectoryAdminStore; spent: Target['spent'] } {
  const spent = { reads: 0, writes: 0 };
  const time =
    <A extends unknown[], R>(kind: keyof typeof spent, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = performance.now();
      try {
        return await fn(...args);
      } finally {
        spent[kind] += performance.now() - started;
      }
    };
  return {
    spent,
    store: {
      ...store,
      findOrganisationsByAccountNumber: time('reads', store.findOrganisationsByAccountNumber),
      findProfilesOfOrganisations: time('reads', store.findProfilesOfOrganisations),
      writeOrganisations: time('writes', store.writeOrganisations),
      writeProfiles: time('writes', store.writeProfiles),
    },
  };
}

function memoryTarget(): Target {
  const { store, spent } = timed(createMemoryDirectory());
  return {
    deps: { directory: store, audit: createMemoryAuditLog(), clock: systemClock, profileKinds: DEFAULT_PROFILE_KINDS },
    spent,
    close: async () => undefined,
  };
}

async function mongoTarget(uri: string): Promise<Target> {
  const client = createMongoConnection(uri, createLogger('error'));
  await client.asPromise();
  // A database of its own (whatever the URI names), so that a real server's data is never touched and runs start empty.
  const connection: Connection = client.useDb(`bench-import-${randomToken(6).replace(/[^A-Za-z0-9]/g, 'x')}`, {
    useCache: false,
  });
  try {
    const models = brokerModels(connection);
    const started = performance.now();
    await Promise.all(Object.values(models).map((model) => model.createIndexes()));
    const { store, spent } = timed(createMongoDirectory(models));
    return {
      deps: {
        directory: store,
        audit: createMongoAuditLog(models),
        clock: systemClock,
        profileKinds: DEFAULT_PROFILE_KINDS,
      },
      spent,
      note: `database ${connection.name}, indexes built in ${((performance.now() - started) / 1000).toFixed(2)} s`,
      close: async () => {
        await connection.dropDatabase().catch(() => undefined);
        await client.close();
      },
    };
  } catch (err) {
    await client.close();
    throw err;
  }
}

/** Everything in the directory, a page at a time: the check that the first import's writes are really there. */
async function countAll(store: DirectoryAdminStore) {
  const count = async (list: (after?: string) => Promise<{ id: string }[]>) => {
    let total = 0;
    let after: string | undefined;
    for (;;) {
      const page = await list(after);
      total += page.length;
      if (page.length < 1000) return total;
      after = page.at(-1)!.id;
    }
  };
  return {
    organisations: await count((after) => store.listOrganisations({}, { limit: 1000, after })),
    profiles: await count((after) => store.listProfiles({}, { limit: 1000, after })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The run.

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const columns = [
  'phase',
  'seconds',
  'rows/s',
  'created',
  'updated',
  'unchanged',
  'rejected',
  'orgs new',
  'store reads s',
  'store writes s',
  'rss MB',
];
const widths = [16, 8, 9, 8, 8, 10, 9, 9, 14, 15, 7];
const line = (cells: string[]) =>
  process.stdout.write(`${cells.map((c, i) => (i ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('')}\n`);

async function bench(name: StoreName, target: Target) {
  process.stdout.write(`\n${name} store${target.note ? ` (${target.note})` : ''}\n`);
  line(columns);
  let started = performance.now();
  const file = await parseCsvImport(csv);
  const parseSeconds = (performance.now() - started) / 1000;
  line([
    'CSV parse',
    parseSeconds.toFixed(3),
    (totalRows / parseSeconds).toFixed(0),
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    mb(process.memoryUsage.rss()),
  ]);
  // The same work as the parse above, so not timed again.
  const renamedFile = await parseCsvImport(renamedCsv);

  const who = { actor: 'bench:import', ip: '127.0.0.1', holds: ALL_ADMIN_SCOPES };
  for (const phase of phases) {
    const parsed: ParsedImport = phase.renamed ? renamedFile : file;
    target.spent.reads = 0;
    target.spent.writes = 0;
    started = performance.now();
    const report = await importDirectory(target.deps, who, parsed, { dryRun: phase.dryRun, format: 'csv' });
    const seconds = (performance.now() - started) / 1000;
    line([
      phase.name,
      seconds.toFixed(3),
      (totalRows / seconds).toFixed(0),
      ...[
        report.rows.created,
        report.rows.updated,
        report.rows.unchanged,
        report.rows.rejected,
        report.organisations.created,
      ].map(String),
      (target.spent.reads / 1000).toFixed(3),
      (target.spent.writes / 1000).toFixed(3),
      mb(process.memoryUsage.rss()),
    ]);
    check(name, phase.name, report, phase.expect);
    if (phase.name === 'first import') {
      const stored = await countAll(target.deps.directory);
      if (stored.organisations !== organisations || stored.profiles !== valid) {
        problems.push(
          `${name}, first import: the store holds ${stored.organisations} organisations and ${stored.profiles} profiles, expected ${organisations} and ${valid}`,
        );
      }
    }
  }
}

process.stdout.write(
  `directory import benchmark: ${totalRows} rows (${valid} valid, ${invalid} with an invalid email), ${organisations} organisations, ` +
    `${renamed} rows renamed in the third file, ${(Buffer.byteLength(csv) / 1024).toFixed(0)} KB of CSV\n`,
);

const stops: (() => Promise<void>)[] = [];
try {
  for (const name of storeNames as StoreName[]) {
    let target: Target;
    if (name === 'memory') target = memoryTarget();
    else {
      const mongo = await startMongo();
      stops.push(mongo.stop);
      target = await mongoTarget(mongo.uri);
    }
    stops.unshift(() => target.close());
    await bench(name, target);
  }
} finally {
  for (const stop of stops) await stop();
}

// maxRSS is the process's high-water mark, in KiB.
const serverNote = storeNames.includes('mongo') ? ' (the MongoDB server runs in its own process, not counted)' : '';
process.stdout.write(`\npeak rss of this process: ${mb(process.resourceUsage().maxRSS * 1024)} MB${serverNote}\n`);
if (problems.length) {
  process.stdout.write(`\nreports not as the file implies:\n${problems.map((p) => `  ${p}\n`).join('')}`);
  process.exitCode = 1;
} else {
  process.stdout.write('every report counted what the file implies\n');
}

import { z } from 'zod';
import { ADMIN_SCOPES } from '../../clients/admin-scopes.ts';
import { MAX_IMPORT_ROWS, parseCsvImport, parseJsonImport } from '../../directory/import-file.ts';
import { adminRoute } from '../admin-route.ts';
import { readImportBody } from '../import-body.ts';

/*
 * An import's body is read by import-file.ts, not by a schema: a malformed row is reported, never refused whole. The
 * schemas below only describe what it accepts, for the document; the fuzzing test checks they agree
 * (test/admin/openapi-document.test.ts).
 */
const csvImport = z
  .string()
  .min(1)
  .regex(/^[\s\uFEFF]*(?=[^\r\n]*[Aa][Cc][Cc][Oo][Uu][Nn][Tt])(?=[^\r\n]*[Ee][\s_-]*[Mm][Aa][Ii][Ll])/)
  .meta({
    description:
      'One profile per row with its organisation\'s columns: account_number, organisation_name, kind, contract_ends_on, email, display_name, role, status, locale (a BCP 47 language tag such as de or fr-CH for the person\'s emails; empty removes it). Upserts by account number and registered email; a malformed row is rejected with its reason and never stops the others. At most 10 MB and 50,000 rows. The first line is the header and names at least the account number and email columns (any common spelling: "Account Number", "E-mail address"); a file without them, or not readable as CSV, is refused whole (400 import_unreadable).',
    examples: [
      'account_number,organisation_name,kind,email,display_name\r\nC-104233,Contoso Pharmaceuticals,customer,harry.hughes@contoso.example,Harry Hughes\r\n',
    ],
  });
const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const row = z.object({ account_number: cell, email: cell }).catchall(cell).meta({
  description:
    'One profile: the CSV column names (or a common spelling) as keys, text, numbers or true/false as values',
});
const rows = z.array(row).max(MAX_IMPORT_ROWS);
const jsonImport = z.union([rows, z.object({ rows })]).meta({
  description:
    'The same rows as objects, keyed by the CSV column names. The file names the account number and email columns; a cell is a value: a row with a list or an object for a value is rejected with that reason, like any malformed row.',
  examples: [
    [
      {
        account_number: 'C-104233',
        organisation_name: 'Contoso Pharmaceuticals',
        kind: 'customer',
        email: 'harry.hughes@contoso.example',
        display_name: 'Harry Hughes',
      },
    ],
  ],
});

const importQuery = z.strictObject({
  dry_run: z
    .enum(['true', 'false'])
    .default('false')
    .meta({ description: 'Report without writing anything', examples: ['true'] }),
});

const count = z.number().int();
const importReport = z
  .object({
    dry_run: z.boolean(),
    reference: z.string().optional().meta({ description: 'The audit event of an applied import' }),
    rows: z.object({ total: count, created: count, updated: count, unchanged: count, rejected: count }),
    organisations: z.object({ created: count, updated: count, unchanged: count }),
    ignored_columns: z.array(z.string()),
    details: z.array(
      z.object({
        line: count,
        outcome: z.enum(['created', 'updated', 'unchanged', 'rejected']),
        account_number: z.string().optional(),
        email: z.string().optional(),
        profile_id: z.string().optional(),
        organisation_id: z.string().optional(),
        reason: z.string().optional().meta({ description: 'Why a row was rejected, or a note (a repeated row)' }),
      }),
    ),
  })
  .meta({ id: 'ImportReport' });

/** /admin/api/v1/directory/imports: bulk imports (scope admin:directory). */
export const importRoutes = [
  adminRoute({
    operationId: 'importDirectory',
    method: 'post',
    path: '/directory/imports',
    scope: ADMIN_SCOPES.directory,
    summary: 'Import organisations and profiles (CSV or JSON)',
    request: { query: importQuery },
    ownBody: {
      description: 'CSV or JSON, by Content-Type; at most 10 MB',
      content: { 'text/csv': csvImport, 'application/csv': csvImport, 'application/json': jsonImport },
    },
    response: {
      status: 200,
      description: 'What happened to each row (with dry_run, what would happen)',
      schema: importReport,
    },
    handle: async ({ query, actor, ctx }, admin) => {
      const { content, format } = await readImportBody(ctx);
      const file = format === 'csv' ? await parseCsvImport(content) : await parseJsonImport(content);
      return admin.directory.import(actor, file, { dryRun: query.dry_run === 'true', format });
    },
  }),
];

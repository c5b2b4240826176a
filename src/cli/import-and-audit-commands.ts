import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { auditEventView } from '../audit/query-audit.ts';
import type { ImportReport } from '../directory/import-directory.ts';
import { parseCsvImport, parseJsonImport } from '../directory/import-file.ts';
import { auditQuery, auditQueryOf } from '../audit/audit-query-input.ts';
import { parseInput } from '../shared/parse-input.ts';
import { UsageError, arg, str, defined, table, more, type Command } from './command-kit.ts';

/** `directory import` (admin:directory) and `audit` (admin:audit). */
export const importAndAuditCommands: Record<string, Command> = {
  'directory import': {
    usage: 'directory import <file.csv|file.json> [--dry-run] [--format csv|json]',
    summary: 'Import organisations and profiles; prints what happened to each row',
    run: async ({ ops, who, args, options }) => {
      const path = arg(args, 0, 'file');
      const format = str(options.format) ?? (extname(path).toLowerCase() === '.json' ? 'json' : 'csv');
      if (format !== 'csv' && format !== 'json') throw new UsageError('--format is csv or json');
      let content: string;
      try {
        content = readFileSync(path, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
      }
      return ops.directory.import(
        who,
        format === 'csv' ? await parseCsvImport(content) : await parseJsonImport(content),
        { dryRun: options['dry-run'] === true, format },
      );
    },
    text: (r: ImportReport) =>
      [
        `${r.dry_run ? 'dry run (nothing written): ' : ''}${r.rows.total} rows: ${r.rows.created} created, ${r.rows.updated} updated, ${r.rows.unchanged} unchanged, ${r.rows.rejected} rejected`,
        `organisations: ${r.organisations.created} created, ${r.organisations.updated} updated, ${r.organisations.unchanged} unchanged`,
        ...(r.ignored_columns.length ? [`ignored columns: ${r.ignored_columns.join(', ')}`] : []),
        ...r.details.filter((d) => d.outcome === 'rejected').map((d) => `line ${d.line}: rejected: ${d.reason}`),
        ...(r.reference ? [`reference ${r.reference}`] : []),
      ].join('\n'),
  },

  audit: {
    usage:
      'audit [--organisation <id>] [--profile <id>] [--client <id>] [--actor <actor>] [--action <action>] [--from <ISO time>] [--to <ISO time>] [--limit n] [--after cursor]',
    summary: 'Query the audit log, newest first',
    run: ({ ops, options }) => {
      const q = parseInput(
        auditQuery,
        defined({
          organisation_id: str(options.organisation),
          profile_id: str(options.profile),
          client_id: str(options.client),
          actor: str(options.actor),
          action: str(options.action),
          from: str(options.from),
          to: str(options.to),
          limit: str(options.limit),
          after: str(options.after),
        }),
        'options',
      );
      return ops.audit.query(auditQueryOf(q));
    },
    text: (r: { events: ReturnType<typeof auditEventView>[]; next: string | null }) =>
      table(
        r.events.map((e) => ({
          ...e,
          target: e.profile_id ?? e.organisation_id ?? e.client_id,
          details: Object.entries(e.details)
            .map(([k, v]) => `${k}=${v}`)
            .join(' '),
        })),
        ['at', 'reference', 'action', 'actor', 'target', 'details'],
      ) + more(r.next),
  },
};

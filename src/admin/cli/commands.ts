import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import type { ClientMetadata } from 'oidc-provider';
import { z } from 'zod';
import { listProfileLinks, sendInvitation, showAssociation, unlinkProfile } from '../../association/support-desk.ts';
import type { auditEventView } from '../../audit/query-audit.ts';
import { queryAudit } from '../../audit/query-audit.ts';
import {
  createClient,
  deleteClient,
  getClient,
  listClients,
  rotateClientSecret,
  setClientStatus,
  updateClient,
} from '../../clients/manage-clients.ts';
import { importDirectory } from '../../directory/import-directory.ts';
import { parseCsvImport, parseJsonImport } from '../../directory/import-file.ts';
import {
  createOrganisation,
  createProfile,
  designateAdministrator,
  getOrganisation,
  listOrganisations,
  listProfiles,
  profileOf,
  setOrganisationStatus,
  setProfileStatus,
  updateOrganisation,
  updateProfile,
} from '../../directory/manage-directory.ts';
import { auditQuery } from '../../http/routes/admin-audit.ts';
import { clientInput, toMetadata } from '../../http/routes/admin-clients.ts';
import { organisationView, profileView } from '../../http/routes/admin-views.ts';
import { parseInput } from '../../http/validate.ts';
import type { AppError } from '../../shared/errors.ts';
import { toAppError } from '../../http/error-handler.ts';
import type { AdminOperations } from '../admin-operations.ts';
import type { AdminActor } from '../scopes.ts';
import { printable, printableJson, printableValues } from './terminal-text.ts';

/** What a command printed and how it ended: 0 done, 1 refused (not found, conflict, bad input), 2 usage, 3 unavailable. */
export interface CommandResult {
  exitCode: 0 | 1 | 2 | 3;
  stdout: string;
  stderr: string;
}

export const EXIT = { ok: 0, refused: 1, usage: 2, unavailable: 3 } as const;

interface Invocation {
  ops: AdminOperations;
  who: AdminActor;
  args: string[];
  options: Record<string, string | boolean | undefined>;
}

interface Command {
  usage: string;
  summary: string;
  run(invocation: Invocation): Promise<unknown>;
  /** How a person reads the result; JSON (--json) is the same object as the admin API returns. */
  text?(result: never): string;
}

class UsageError extends Error {}

const required = (value: string | boolean | undefined, name: string): string => {
  if (typeof value !== 'string' || !value) throw new UsageError(`--${name} is required`);
  return value;
};
const arg = (args: string[], index: number, name: string): string => {
  const value = args[index];
  if (!value) throw new UsageError(`<${name}> is required`);
  return value;
};
const str = (value: string | boolean | undefined) => (typeof value === 'string' ? value : undefined);
const defined = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

const table = (rows: Record<string, unknown>[], columns: string[]) => {
  if (!rows.length) return '(none)';
  const cells = [
    columns,
    ...rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '-' : String(r[c])))),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
};
const fields = (record: Record<string, unknown>) =>
  Object.entries(record)
    .map(([k, v]) => `${k}: ${v !== null && typeof v === 'object' ? JSON.stringify(v) : (v ?? '-')}`)
    .join('\n');
const more = (next: string | null | undefined) => (next ? `\n(more: --after ${next})` : '');

function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read ${path} as JSON: ${(err as Error).message}`);
  }
}

const paging = (options: Invocation['options']) => ({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(50)
    .parse(str(options.limit) ?? 50),
  after: str(options.after),
});

const organisationFields = (options: Invocation['options']) => ({
  accountNumber: required(options['account-number'], 'account-number'),
  name: required(options.name, 'name'),
  kind: z.enum(['customer', 'partner']).parse(required(options.kind, 'kind')),
  ...(str(options['contract-ends-on']) ? { contractEndsOn: z.iso.date().parse(str(options['contract-ends-on'])) } : {}),
});

/** Every command, by its words. The use cases are the admin API's own; only the way in differs. */
export const COMMANDS: Record<string, Command> = {
  'clients list': {
    usage: 'clients list',
    summary: 'List the registered clients',
    run: async ({ ops }) => ({ clients: await listClients(ops.clients) }),
    text: (r: {
      clients: { client_id: string; status: string; source: string; metadata: { client_name?: string } }[];
    }) =>
      table(
        r.clients.map((c) => ({ ...c, name: c.metadata.client_name })),
        ['client_id', 'status', 'source', 'name'],
      ),
  },
  'clients show': {
    usage: 'clients show <client-id>',
    summary: 'Show a client (never its secret)',
    run: ({ ops, args }) => getClient(ops.clients, arg(args, 0, 'client-id')),
    text: (r: Record<string, unknown>) => fields(r),
  },
  'clients create': {
    usage: 'clients create --file <metadata.json>',
    summary: 'Register a client; its secret is printed once',
    run: ({ ops, who, options }) =>
      createClient(
        ops.clients,
        who,
        toMetadata(parseInput(clientInput, readJsonFile(required(options.file, 'file')), 'client')) as ClientMetadata,
      ),
    text: (r: { client: { client_id: string }; client_secret?: string }) =>
      `created ${r.client.client_id}${r.client_secret ? `\nclient_secret: ${r.client_secret}\n(shown once: store it now)` : ''}`,
  },
  'clients update': {
    usage: 'clients update <client-id> --file <metadata.json>',
    summary: "Replace a client's metadata and policy (its secret stays)",
    run: ({ ops, who, args, options }) => {
      const { client_id: _ignored, ...input } = parseInput(
        clientInput,
        readJsonFile(required(options.file, 'file')),
        'client',
      );
      return updateClient(ops.clients, who, arg(args, 0, 'client-id'), toMetadata(input) as ClientMetadata);
    },
    text: (r: { client_id: string }) => `updated ${r.client_id}`,
  },
  'clients disable': {
    usage: 'clients disable <client-id> [--reason <text>]',
    summary: 'Disable a client on every node at once',
    run: ({ ops, who, args, options }) =>
      setClientStatus(ops.clients, who, arg(args, 0, 'client-id'), 'disabled', str(options.reason)),
    text: (r: { client_id: string; status: string }) => `${r.client_id}: ${r.status}`,
  },
  'clients enable': {
    usage: 'clients enable <client-id> [--reason <text>]',
    summary: 'Enable a client again',
    run: ({ ops, who, args, options }) =>
      setClientStatus(ops.clients, who, arg(args, 0, 'client-id'), 'active', str(options.reason)),
    text: (r: { client_id: string; status: string }) => `${r.client_id}: ${r.status}`,
  },
  'clients delete': {
    usage: 'clients delete <client-id>',
    summary: 'Delete a client',
    run: async ({ ops, who, args }) => {
      await deleteClient(ops.clients, who, arg(args, 0, 'client-id'));
      return { deleted: args[0] };
    },
    text: (r: { deleted: string }) => `deleted ${r.deleted}`,
  },
  'clients rotate-secret': {
    usage: 'clients rotate-secret <client-id>',
    summary: 'Give a client a new secret (printed once); the old one stops working',
    run: ({ ops, who, args }) => rotateClientSecret(ops.clients, who, arg(args, 0, 'client-id')),
    text: (r: { client: { client_id: string }; client_secret: string }) =>
      `new secret for ${r.client.client_id}\nclient_secret: ${r.client_secret}\n(shown once: store it now)`,
  },

  'organisations list': {
    usage:
      'organisations list [--kind customer|partner] [--status active|disabled] [--q <text>] [--limit n] [--after id]',
    summary: 'List organisations',
    run: async ({ ops, options }) => {
      const page = await listOrganisations(
        ops.directory,
        defined({
          kind: z.enum(['customer', 'partner']).optional().parse(str(options.kind)),
          status: z.enum(['active', 'disabled']).optional().parse(str(options.status)),
          q: str(options.q),
        }),
        paging(options),
      );
      return { organisations: page.items.map(organisationView), next: page.next ?? null };
    },
    text: (r: { organisations: Record<string, unknown>[]; next: string | null }) =>
      table(r.organisations, ['id', 'account_number', 'name', 'kind', 'status', 'contract_ends_on']) + more(r.next),
  },
  'organisations show': {
    usage: 'organisations show <organisation-id>',
    summary: 'Show an organisation and its administrator',
    run: async ({ ops, args }) =>
      organisationView(await getOrganisation(ops.directory, arg(args, 0, 'organisation-id'))),
    text: (r: Record<string, unknown>) => fields(r),
  },
  'organisations create': {
    usage:
      'organisations create --account-number <n> --name <name> --kind customer|partner [--contract-ends-on YYYY-MM-DD] [--id <id>]',
    summary: 'Create an organisation',
    run: async ({ ops, who, options }) =>
      organisationView(
        await createOrganisation(ops.directory, who, {
          ...organisationFields(options),
          ...(str(options.id) ? { id: str(options.id)! } : {}),
        }),
      ),
    text: (r: { id: string }) => `created ${r.id}`,
  },
  'organisations update': {
    usage:
      'organisations update <organisation-id> --account-number <n> --name <name> --kind customer|partner [--contract-ends-on YYYY-MM-DD]',
    summary: "Replace an organisation's fields (no --contract-ends-on: no contract)",
    run: async ({ ops, who, args, options }) =>
      organisationView(
        await updateOrganisation(ops.directory, who, arg(args, 0, 'organisation-id'), organisationFields(options)),
      ),
    text: (r: { id: string }) => `updated ${r.id}`,
  },
  'organisations disable': {
    usage: 'organisations disable <organisation-id> [--reason <text>]',
    summary: 'Disable an organisation: none of its profiles can sign in',
    run: async ({ ops, who, args, options }) =>
      organisationView(
        await setOrganisationStatus(
          ops.directory,
          who,
          arg(args, 0, 'organisation-id'),
          'disabled',
          str(options.reason),
        ),
      ),
    text: (r: { id: string; status: string }) => `${r.id}: ${r.status}`,
  },
  'organisations enable': {
    usage: 'organisations enable <organisation-id> [--reason <text>]',
    summary: 'Enable an organisation',
    run: async ({ ops, who, args, options }) =>
      organisationView(
        await setOrganisationStatus(ops.directory, who, arg(args, 0, 'organisation-id'), 'active', str(options.reason)),
      ),
    text: (r: { id: string; status: string }) => `${r.id}: ${r.status}`,
  },
  'organisations set-administrator': {
    usage: 'organisations set-administrator <organisation-id> <profile-id> --reason <text>',
    summary: 'Designate or replace the administrator (both are emailed)',
    run: async ({ ops, who, args, options }) => {
      const r = await designateAdministrator(
        ops.directory,
        who,
        arg(args, 0, 'organisation-id'),
        arg(args, 1, 'profile-id'),
        required(options.reason, 'reason'),
      );
      return {
        organisation: organisationView({ ...r.organisation, administratorId: r.administrator.id }),
        administrator: profileView(r.administrator),
        previous: r.previous ? profileView(r.previous) : null,
        reference: r.reference ?? null,
      };
    },
    text: (r: {
      organisation: { id: string };
      administrator: { id: string };
      previous: { id: string } | null;
      reference: string | null;
    }) =>
      r.reference
        ? `${r.administrator.id} is now the administrator of ${r.organisation.id}${r.previous ? ` (was ${r.previous.id})` : ''}; reference ${r.reference}`
        : `${r.administrator.id} already is the administrator of ${r.organisation.id}`,
  },

  'profiles list': {
    usage:
      'profiles list [--organisation <id>] [--email <address>] [--role administrator|professional] [--status active|disabled] [--q <text>] [--limit n] [--after id]',
    summary: 'List profiles',
    run: async ({ ops, options }) => {
      const filter = defined({
        organisationId: str(options.organisation),
        email: str(options.email),
        q: str(options.q),
        role: z.enum(['administrator', 'professional']).optional().parse(str(options.role)),
        status: z.enum(['active', 'disabled']).optional().parse(str(options.status)),
      });
      const page = await listProfiles(ops.directory, filter, paging(options));
      return { profiles: page.items.map(profileView), next: page.next ?? null };
    },
    text: (r: { profiles: Record<string, unknown>[]; next: string | null }) =>
      table(r.profiles, ['id', 'organisation_id', 'email', 'display_name', 'role', 'status']) + more(r.next),
  },
  'profiles show': {
    usage: 'profiles show <profile-id>',
    summary: 'Show a profile',
    run: async ({ ops, args }) => profileView(await profileOf(ops.directory, arg(args, 0, 'profile-id'))),
    text: (r: Record<string, unknown>) => fields(r),
  },
  'profiles create': {
    usage:
      'profiles create --organisation <id> --email <address> --name <display name> [--role administrator|professional] [--invite]',
    summary: 'Add a profile (the first of an organisation becomes its administrator); --invite emails it a link',
    run: async ({ ops, who, options }) =>
      profileView(
        await createProfile(
          ops.directory,
          who,
          {
            organisationId: required(options.organisation, 'organisation'),
            email: z.email().parse(required(options.email, 'email').trim()),
            displayName: required(options.name, 'name'),
            ...(str(options.role) ? { role: z.enum(['administrator', 'professional']).parse(str(options.role)) } : {}),
          },
          { invite: options.invite === true },
        ),
      ),
    text: (r: { id: string; role: string }) => `created ${r.id} (${r.role})`,
  },
  'profiles update': {
    usage: 'profiles update <profile-id> --email <address> --name <display name>',
    summary: "Replace a profile's registered email and name (a new email revokes its links)",
    run: async ({ ops, who, args, options }) =>
      profileView(
        await updateProfile(ops.directory, who, arg(args, 0, 'profile-id'), {
          email: z.email().parse(required(options.email, 'email').trim()),
          displayName: required(options.name, 'name'),
        }),
      ),
    text: (r: { id: string }) => `updated ${r.id}`,
  },
  'profiles disable': {
    usage: 'profiles disable <profile-id> [--reason <text>]',
    summary: 'Disable a profile: it cannot sign in or be associated',
    run: async ({ ops, who, args, options }) =>
      profileView(
        await setProfileStatus(ops.directory, who, arg(args, 0, 'profile-id'), 'disabled', str(options.reason)),
      ),
    text: (r: { id: string; status: string }) => `${r.id}: ${r.status}`,
  },
  'profiles enable': {
    usage: 'profiles enable <profile-id> [--reason <text>]',
    summary: 'Enable a profile',
    run: async ({ ops, who, args, options }) =>
      profileView(
        await setProfileStatus(ops.directory, who, arg(args, 0, 'profile-id'), 'active', str(options.reason)),
      ),
    text: (r: { id: string; status: string }) => `${r.id}: ${r.status}`,
  },
  'profiles association': {
    usage: 'profiles association <profile-id>',
    summary: 'Show which account (masked) signs in as the profile, since when, and how',
    run: ({ ops, args }) => showAssociation(ops.support, arg(args, 0, 'profile-id')),
    text: (r: Record<string, unknown>) => fields(r),
  },
  'profiles unlink': {
    usage: 'profiles unlink <profile-id> --reason <text>',
    summary: 'Unlink the profile from its account; signs it out everywhere and revokes its links',
    run: ({ ops, who, args, options }) =>
      unlinkProfile(ops.support, who, arg(args, 0, 'profile-id'), required(options.reason, 'reason')),
    text: (r: { reference: string }) => `unlinked; reference ${r.reference}`,
  },
  'profiles links': {
    usage: 'profiles links <profile-id>',
    summary: "List the profile's association links with their status",
    run: async ({ ops, args }) => ({ links: await listProfileLinks(ops.support, arg(args, 0, 'profile-id')) }),
    text: (r: { links: Record<string, unknown>[] }) =>
      table(r.links, ['id', 'status', 'kind', 'created_at', 'expires_at', 'reference']),
  },
  'profiles invite': {
    usage: 'profiles invite <profile-id> [--client <client-id>]',
    summary: 'Send an association email ("Send Invite E-mail"); supersedes older links',
    run: ({ ops, who, args, options }) =>
      sendInvitation(ops.support, who, arg(args, 0, 'profile-id'), { clientId: str(options.client) }),
    text: (r: { link_id: string; reference: string; expires_at: string }) =>
      `invitation ${r.link_id} queued; expires ${r.expires_at}; reference ${r.reference}`,
  },

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
      return importDirectory(
        ops.imports,
        who,
        format === 'csv' ? await parseCsvImport(content) : await parseJsonImport(content),
        { dryRun: options['dry-run'] === true, format },
      );
    },
    text: (r: Awaited<ReturnType<typeof importDirectory>>) =>
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
      return queryAudit(ops.audit, {
        organisationId: q.organisation_id,
        profileId: q.profile_id,
        clientId: q.client_id,
        actor: q.actor,
        action: q.action,
        from: q.from,
        to: q.to,
        limit: q.limit,
        after: q.after,
      });
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

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  file: { type: 'string' },
  reason: { type: 'string' },
  'account-number': { type: 'string' },
  name: { type: 'string' },
  kind: { type: 'string' },
  'contract-ends-on': { type: 'string' },
  id: { type: 'string' },
  organisation: { type: 'string' },
  email: { type: 'string' },
  role: { type: 'string' },
  status: { type: 'string' },
  q: { type: 'string' },
  limit: { type: 'string' },
  after: { type: 'string' },
  invite: { type: 'boolean' },
  client: { type: 'string' },
  'dry-run': { type: 'boolean' },
  format: { type: 'string' },
  profile: { type: 'string' },
  actor: { type: 'string' },
  action: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

export function helpText(): string {
  return [
    'Usage: npm run admin -- <command> [arguments] [options] [--json]',
    '',
    'Administration of the profile broker: the same operations as the admin API (/admin/api/v1), run directly on',
    'the configured MongoDB and Redis, or on the running embedded demo (`npm start`) when none are configured.',
    '',
    'Commands:',
    ...Object.values(COMMANDS).flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`]),
    '',
    'Options: --json prints the result as the admin API returns it; --help after a command shows its arguments.',
    'Exit codes: 0 done, 1 refused (not found, conflict, invalid input), 2 usage error, 3 broker or store unavailable.',
  ].join('\n');
}

/**
 * Runs one command line. `describe` turns a refusal into the sentence a person reads (the admin API's message).
 * Returns what to print and the exit code; never throws for anything a person typed.
 */
export async function runCommand(
  ops: AdminOperations,
  who: AdminActor,
  argv: string[],
  describe: (error: AppError) => string,
): Promise<CommandResult> {
  const read = readCommandLine(argv);
  if (!('command' in read)) return read;
  const { command, words, options, positionals } = read;
  const json = options.json === true;
  try {
    const result = await command.run({ ops, who, args: positionals.slice(words.length), options });
    // Names and every other value come from anyone's input: nothing reaches the terminal raw (terminal-text.ts).
    const out =
      json || !command.text
        ? printableJson(result, 2)
        : (command.text as (r: unknown) => string)(printableValues(result));
    return { exitCode: EXIT.ok, stdout: `${out}\n`, stderr: '' };
  } catch (err) {
    if (err instanceof UsageError)
      return {
        exitCode: EXIT.usage,
        stdout: '',
        stderr: `${printable(err.message)}\nUsage: npm run admin -- ${command.usage}\n`,
      };
    if (err instanceof z.ZodError) {
      const message = printable(`invalid value: ${err.issues.map((i) => i.message).join('; ')}`);
      return { exitCode: EXIT.usage, stdout: '', stderr: `${message}\nUsage: npm run admin -- ${command.usage}\n` };
    }
    // Errors mean what they mean in the API (oidc-provider's metadata errors, store outages); the operator at the
    // command line may also read what went wrong inside, which a person at a page may not.
    const error = toAppError(err);
    const message = error.status >= 500 ? `${describe(error)} (${(err as Error).message})` : describe(error);
    const exitCode = error.status >= 500 ? EXIT.unavailable : EXIT.refused;
    return {
      exitCode,
      stdout: '',
      stderr: json
        ? `${printableJson({ error: error.code, message })}\n`
        : `error: ${error.code}: ${printable(message)}\n`,
    };
  }
}

/**
 * Reads a command line: the command and its options, or what to print instead (help, a usage error). Needs no
 * broker, so `--help` and typing mistakes are answered before anything is started.
 */
export function readCommandLine(
  argv: string[],
): CommandResult | { command: Command; words: string[]; options: Invocation['options']; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    return {
      exitCode: EXIT.usage,
      stdout: '',
      stderr: `${printable((err as Error).message)}\n\n${helpText()}\n`,
    } satisfies CommandResult;
  }
  const { values: options, positionals } = parsed;
  const words = positionals[0] === 'audit' ? ['audit'] : positionals.slice(0, 2);
  const command = Object.hasOwn(COMMANDS, words.join(' ')) ? COMMANDS[words.join(' ')] : undefined;
  if (!command) {
    if (options.help) return { exitCode: EXIT.ok, stdout: `${helpText()}\n`, stderr: '' } satisfies CommandResult;
    const problem = positionals.length ? `unknown command: ${printable(positionals.slice(0, 2).join(' '))}\n\n` : '';
    return { exitCode: EXIT.usage, stdout: '', stderr: `${problem}${helpText()}\n` } satisfies CommandResult;
  }
  if (options.help)
    return {
      exitCode: EXIT.ok,
      stdout: `Usage: npm run admin -- ${command.usage} [--json]\n\n${command.summary}.\n`,
      stderr: '',
    } satisfies CommandResult;
  return { command, words, options, positionals };
}

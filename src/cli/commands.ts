import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { AppError } from '../shared/errors.ts';
import type { AdminOperations } from '../admin/admin-operations.ts';
import type { AdminActor } from '../clients/admin-scopes.ts';
import type { ProfileKinds } from '../directory/profile-kinds.ts';
import { printable, printableJson, printableValues } from './terminal-text.ts';
import { type CommandResult, EXIT, UsageError, type Command, type Invocation } from './command-kit.ts';
import { clientCommands } from './client-commands.ts';
import { organisationCommands } from './organisation-commands.ts';
import { profileCommands } from './profile-commands.ts';
import { importAndAuditCommands } from './import-and-audit-commands.ts';
import { webhookCommands } from './webhook-commands.ts';
import { mailCommands } from './mail-commands.ts';

export { EXIT, type CommandResult } from './command-kit.ts';

/** Every command, by its words. The use cases are the admin API's own; only the way in differs. */
export const COMMANDS: Record<string, Command> = {
  ...clientCommands,
  ...organisationCommands,
  ...profileCommands,
  ...importAndAuditCommands,
  ...webhookCommands,
  ...mailCommands,
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
  locale: { type: 'string' },
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
  events: { type: 'string' },
  session: { type: 'string' },
  all: { type: 'boolean' },
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
  /** The configured profile kinds (`directory.profileKinds`): what --kind may name. */
  kinds: ProfileKinds,
): Promise<CommandResult> {
  const read = readCommandLine(argv);
  if (!('command' in read)) return read;
  const { command, words, options, positionals } = read;
  const json = options.json === true;
  try {
    const result = await command.run({ ops, who, args: positionals.slice(words.length), options, kinds });
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
      // An option checked as a field names itself: "kind must be one of customer, partner, employee".
      const message = printable(`invalid value: ${err.issues.map((i) => [...i.path, i.message].join(' ')).join('; ')}`);
      return { exitCode: EXIT.usage, stdout: '', stderr: `${message}\nUsage: npm run admin -- ${command.usage}\n` };
    }
    // Errors mean what they mean in the API (oidc-provider's metadata errors, store outages); the operator at the
    // command line may also read what went wrong inside, which a person at a page may not.
    // Loaded here, not at the top: it brings oidc-provider (half a second), which --help and usage errors never need.
    const { toAppError } = await import('../shared/to-app-error.ts');
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

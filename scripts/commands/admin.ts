/**
 * Administration from the command line: the admin API's operations, run with the same use cases.
 *
 *   npm run admin -- --help
 *   npm run admin -- profiles list --organisation org-contoso
 *   MONGODB_URI=… REDIS_URL=… SECRET_KEYS=… npm run admin -- directory import people.csv --dry-run
 *
 * With MONGODB_URI and REDIS_URL (the brokers' own configuration) it works on those stores directly. Without them
 * it works on the running embedded demo (`npm start`), whose data lives in that process, through its local socket.
 * Exit codes: 0 done, 1 refused, 2 usage error, 3 broker or store unavailable.
 */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { EXIT, readCommandLine, runCommand, type CommandResult } from '../../src/cli/commands.ts';
import { adminSocketPath, askAdminSocket } from '../../src/cli/control-socket.ts';
import { commandLanguage, terminalLanguageTag } from '../../src/cli/terminal-language.ts';
import { operatorActor } from '../../src/clients/admin-scopes.ts';
import { loadConfig } from '../../src/config/load.ts';
import { usesMemoryStores } from '../../src/config/schema.ts';
import { ConfigError } from '../../src/shared/errors.ts';
import { createLogger } from '../../src/shared/logger.ts';

const finish = (result: CommandResult): never => {
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exit(result.exitCode);
};

/** Files named on the command line are read by whoever runs the command: the demo's process has another directory. */
function withAbsolutePaths(argv: string[]): string[] {
  return argv.map((value, i) => {
    if (argv[i - 1] === '--file') return resolve(value);
    if (value.startsWith('--file=')) return `--file=${resolve(value.slice('--file='.length))}`;
    if (argv[0] === 'directory' && argv[1] === 'import' && i === 2) return resolve(value);
    return value;
  });
}

const argv = process.argv.slice(2);
const read = readCommandLine(argv);
if (!('command' in read)) finish(read);

let config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  finish({ exitCode: EXIT.usage, stdout: '', stderr: `${err.message}\n` });
}
const operator = userInfo().username;
// Refusals are worded in the terminal's language (LANG, LC_MESSAGES, LC_ALL), as the pages follow the browser's.
const language = terminalLanguageTag(process.env);

if (usesMemoryStores(config!)) {
  const path = adminSocketPath(config!);
  const request = { argv: withAbsolutePaths(argv), operator, ...(language ? { language } : {}) };
  const answer = await askAdminSocket(path, request).catch(
    (err: Error) => ({ exitCode: EXIT.unavailable, stdout: '', stderr: `${err.message}\n` }) as CommandResult,
  );
  finish(
    answer ?? {
      exitCode: EXIT.unavailable,
      stdout: '',
      stderr:
        `No embedded broker is running on port ${config!.port} (nothing answers at ${path}).\n` +
        'Start the demo with `npm start` (same PORT), or set MONGODB_URI and REDIS_URL to administer shared stores.\n',
    },
  );
}

if (!config!.keys.secretKeys?.length && !config!.keys.cookieKeys?.length) {
  finish({
    exitCode: EXIT.usage,
    stdout: '',
    stderr:
      'Set SECRET_KEYS (or SECRET_KEYS_FILE) as the brokers have them: client secrets in the stores are encrypted with them.\n',
  });
}
// Loaded only here: the whole broker (about a second of imports) is needed only to work on the stores directly, not
// for --help, a usage error or a command sent to the running demo.
const [{ createServices }, { messageFor }] = await Promise.all([
  import('../../src/services.ts'),
  import('../../src/http/error-handler.ts'),
]);
// Only errors reach the terminal's error stream; what happened is the command's output (and the audit log).
const services = await createServices(config!, { logger: createLogger('error'), mode: 'command-line' });
let result: CommandResult;
try {
  result = await runCommand(
    services.admin,
    operatorActor(operator),
    argv,
    (error) => messageFor(services.views, error, true, commandLanguage(services.views.catalogue, language)),
    config!.directory.profileKinds,
  );
} finally {
  await services.close();
}
finish(result!);

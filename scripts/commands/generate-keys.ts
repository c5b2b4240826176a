/**
 * Creates what production needs instead of per-process keys: a JSON Web Key Set with one RS256 signing key
 * (for JWKS_FILE), a cookie key (for COOKIE_KEYS) and a client-secret encryption key (for SECRET_KEYS).
 *
 *   npm run keys -- --out keys/jwks.json            write a new key set (refuses to overwrite); prints a COOKIE_KEYS
 *                                                    and a SECRET_KEYS value
 *   npm run keys -- --out keys/jwks.json --rotate   append a new key: published at once, signing only once an operator
 *                                                    moves it to the front (oidc-provider signs with the first key)
 *   … --cookie-out keys/cookie-keys                  also write a cookie key to a file, for COOKIE_KEYS_FILE (with
 *                                                    --rotate: a new key in front, the old ones kept to verify)
 *   … --secret-out keys/secret-keys                  also write a client-secret key to a file, for SECRET_KEYS_FILE
 *                                                    (with --rotate: a new key in front, the old ones kept to decrypt)
 * Each file option also works alone, e.g. `npm run keys -- --secret-out keys/secret-keys --rotate`.
 *
 * Rotation, one step per command (src/keys/key-files.ts; docs/operations.md, "Rotating keys"):
 *   npm run keys -- list signing|cookie|secret --file <path>
 *   npm run keys -- rotate signing|cookie|secret --file <path>
 *   npm run keys -- promote signing --file <path>
 *   npm run keys -- retire signing|secret --file <path> --kid <id>      retire cookie --file <path> (the oldest)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { secretKeyId } from '../../src/clients/secret-encryption.ts';
import {
  KeyFileError,
  listKeys,
  promoteSigningKey,
  retireKey,
  rotateKey,
  type KeyKind,
} from '../../src/keys/key-files.ts';
import { generateSigningKey } from '../../src/oidc/signing-keys.ts';
import { randomToken } from '../../src/shared/ids.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    file: { type: 'string' },
    kid: { type: 'string' },
    out: { type: 'string' },
    'cookie-out': { type: 'string' },
    'secret-out': { type: 'string' },
    rotate: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (positionals.length) await rotationStep(positionals, values.file, values.kid);
const { out, rotate } = values;
const cookieOut = values['cookie-out'];
const secretOut = values['secret-out'];

if (values.help || !(out || cookieOut || secretOut)) {
  process.stdout.write(
    'usage: npm run keys -- [--out <path/to/jwks.json>] [--cookie-out <path/to/cookie-keys>] [--secret-out <path/to/secret-keys>] [--rotate]\n',
  );
  process.exit(values.help ? 0 : 2);
}

// Every refusal before any write, so a refused run changes no file.
const refusals = [
  out && existsSync(out) ? `${out} exists; pass --rotate to append a new key to it` : undefined,
  cookieOut && readKeys(cookieOut).length
    ? `${cookieOut} exists; pass --rotate to put a new cookie key in front of it`
    : undefined,
  secretOut && readKeys(secretOut).length
    ? `${secretOut} exists; pass --rotate to put a new client-secret key in front of it`
    : undefined,
].filter(Boolean);
if (refusals.length && !rotate) {
  process.stderr.write(`${refusals.join('\n')}\n`);
  process.exit(2);
}

const settings: string[] = [];
if (out) {
  const key = await generateSigningKey('RS256');
  let keys = [key];
  if (existsSync(out)) {
    const existing = JSON.parse(readFileSync(out, 'utf8')) as { keys: unknown[] };
    // Appended, not prepended: relying parties must be able to fetch a key before any token is signed with it.
    keys = [...(existing.keys as typeof keys), key];
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
  process.stdout.write(`wrote ${out} (${keys.length} key${keys.length > 1 ? 's' : ''}, newest kid ${key.kid})\n`);
  settings.push(`JWKS_FILE=${out}`);
}
if (cookieOut) {
  const keys = prependKey(cookieOut);
  process.stdout.write(`wrote ${cookieOut} (${keys.length} cookie key${keys.length > 1 ? 's' : ''}, newest first)\n`);
  settings.push(`COOKIE_KEYS_FILE=${cookieOut}`);
} else if (out) {
  settings.push(`COOKIE_KEYS=${randomToken(32)}`);
}
if (secretOut) {
  const keys = prependKey(secretOut);
  // Key ids are what stored values name (enc:v1:<key id>:…): they tell which clients still need an older key.
  process.stdout.write(
    `wrote ${secretOut} (${keys.length} client-secret key${keys.length > 1 ? 's' : ''}, newest first; key ids ${keys.map(secretKeyId).join(', ')})\n`,
  );
  settings.push(`SECRET_KEYS_FILE=${secretOut}`);
} else if (out) {
  settings.push(`SECRET_KEYS=${randomToken(32)}`);
}
process.stdout.write(`${settings.join('\n')}\n`);

/** The keys of a key file, one per line, newest first; none when there is no file. */
function readKeys(path: string): string[] {
  return existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .map((k) => k.trim())
        .filter(Boolean)
    : [];
}

/** A new random key in front of the file's keys, the older ones kept behind it. */
function prependKey(path: string): string[] {
  const keys = [randomToken(32), ...readKeys(path)];
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${keys.join('\n')}\n`, { mode: 0o600 });
  return keys;
}

/** One step of a rotation (`list`, `rotate`, `promote`, `retire`), then exit: 0 done, 2 refused with the reason. */
async function rotationStep([action, kind, ...rest]: string[], file?: string, kid?: string): Promise<never> {
  const usage =
    'usage: npm run keys -- list|rotate signing|cookie|secret --file <path>\n' +
    '       npm run keys -- promote signing --file <path>\n' +
    '       npm run keys -- retire signing|secret --file <path> --kid <id>   |   retire cookie --file <path>\n';
  const kinds: KeyKind[] = ['signing', 'cookie', 'secret'];
  if (!kinds.includes(kind as KeyKind) || !file || rest.length) {
    process.stderr.write(usage);
    process.exit(2);
  }
  const k = kind as KeyKind;
  try {
    if (action === 'list') {
      for (const key of listKeys(k, file)) process.stdout.write(`${key.id}\t${key.role}\n`);
    } else if (action === 'rotate') {
      const id = await rotateKey(k, file);
      process.stdout.write(
        k === 'signing'
          ? `added ${id} to ${file}: published, not signing yet. Roll the nodes; once relying parties have fetched the new key set (a day is generous), run: npm run keys -- promote signing --file ${file}\n`
          : `put a new ${k} key (${id}) in front in ${file}; roll the nodes. The older keys still ${k === 'cookie' ? 'verify cookies' : 'decrypt stored secrets'}.\n`,
      );
    } else if (action === 'promote' && k === 'signing') {
      const id = promoteSigningKey(file);
      process.stdout.write(
        `${id} signs now (roll the nodes). Once tokens signed with the older key have expired, retire it: npm run keys -- retire signing --file ${file} --kid <old kid>\n`,
      );
    } else if (action === 'retire') {
      process.stdout.write(`removed ${retireKey(k, file, kid)} from ${file}; roll the nodes\n`);
    } else {
      process.stderr.write(usage);
      process.exit(2);
    }
  } catch (err) {
    if (!(err instanceof KeyFileError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.exit(0);
}

/**
 * Creates what production needs instead of per-process keys: a JSON Web Key Set with a signing key of each
 * algorithm the broker offers, RS256 (the default for ID tokens and JWT access tokens), ES256 and EdDSA (Ed25519)
 * (for JWKS_FILE), a cookie key (for COOKIE_KEYS) and a client-secret encryption key (for SECRET_KEYS).
 *
 *   npm run keys -- --out keys/jwks.json            write a new key set (refuses to overwrite); prints a COOKIE_KEYS
 *                                                    and a SECRET_KEYS value
 *   npm run keys -- --out keys/jwks.json --rotate   append a new key (RS256, or --alg ES256|EdDSA): published at once,
 *                                                    signing only once an operator promotes it (oidc-provider signs
 *                                                    with the first key of each algorithm)
 *   … --cookie-out keys/cookie-keys                  also write a cookie key to a file, for COOKIE_KEYS_FILE (with
 *                                                    --rotate: a new key in front, the old ones kept to verify)
 *   … --secret-out keys/secret-keys                  also write a client-secret key to a file, for SECRET_KEYS_FILE
 *                                                    (with --rotate: a new key in front, the old ones kept to decrypt)
 * Each file option also works alone, e.g. `npm run keys -- --secret-out keys/secret-keys --rotate`.
 *
 * Rotation, one step per command (src/keys/key-files.ts; docs/operations.md, "Rotating keys"):
 *   npm run keys -- list signing|cookie|secret --file <path>
 *   npm run keys -- rotate signing|cookie|secret --file <path>          (signing: --alg RS256|ES256|EdDSA, default RS256)
 *   npm run keys -- promote signing --file <path>                       (--alg as above)
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
import {
  DEFAULT_SIGNING_ALG,
  generateSigningKey,
  generateSigningKeys,
  SIGNING_ALGS,
  type SigningAlg,
} from '../../src/oidc/signing-keys.ts';
import { randomToken } from '../../src/shared/ids.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    file: { type: 'string' },
    kid: { type: 'string' },
    alg: { type: 'string' },
    out: { type: 'string' },
    'cookie-out': { type: 'string' },
    'secret-out': { type: 'string' },
    rotate: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
const alg = (values.alg ?? DEFAULT_SIGNING_ALG) as SigningAlg;
if (!SIGNING_ALGS.includes(alg)) {
  process.stderr.write(`--alg must be one of ${SIGNING_ALGS.join(', ')}\n`);
  process.exit(2);
}
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
  // A new key set holds a key of each algorithm; --rotate appends one key of --alg to an existing set. Appended, not
  // prepended: relying parties must be able to fetch a key before any token is signed with it.
  const added = existsSync(out) ? [await generateSigningKey(alg)] : await generateSigningKeys();
  const keys = existsSync(out)
    ? [...(JSON.parse(readFileSync(out, 'utf8')) as { keys: typeof added }).keys, ...added]
    : added;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
  process.stdout.write(
    `wrote ${out} (${keys.length} key${keys.length > 1 ? 's' : ''}; new: ${added.map((k) => `${k.kid} ${k.alg}`).join(', ')})\n`,
  );
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
    'usage: npm run keys -- list|rotate signing|cookie|secret --file <path> [--alg RS256|ES256|EdDSA, signing only]\n' +
    '       npm run keys -- promote signing --file <path> [--alg RS256|ES256|EdDSA]\n' +
    '       npm run keys -- retire signing|secret --file <path> --kid <id>   |   retire cookie --file <path>\n';
  const kinds: KeyKind[] = ['signing', 'cookie', 'secret'];
  if (!kinds.includes(kind as KeyKind) || !file || rest.length) {
    process.stderr.write(usage);
    process.exit(2);
  }
  const k = kind as KeyKind;
  try {
    if (action === 'list') {
      for (const key of listKeys(k, file))
        process.stdout.write(`${key.id}\t${key.alg ? `${key.alg}\t` : ''}${key.role}\n`);
    } else if (action === 'rotate') {
      const id = await rotateKey(k, file, alg);
      const signsAtOnce = k === 'signing' && listKeys(k, file).find((key) => key.id === id)?.role === 'signing';
      process.stdout.write(
        signsAtOnce
          ? `added ${id} (${alg}) to ${file}, the first ${alg} key: it signs ${alg} tokens from the next start. Roll the nodes.\n`
          : k === 'signing'
            ? `added ${id} (${alg}) to ${file}: published, not signing yet. Roll the nodes; once relying parties have fetched the new key set (a day is generous), run: npm run keys -- promote signing --alg ${alg} --file ${file}\n`
            : `put a new ${k} key (${id}) in front in ${file}; roll the nodes. The older keys still ${k === 'cookie' ? 'verify cookies' : 'decrypt stored secrets'}.\n`,
      );
    } else if (action === 'promote' && k === 'signing') {
      const id = promoteSigningKey(file, alg);
      process.stdout.write(
        `${id} signs ${alg} tokens now (roll the nodes). Once tokens signed with the older ${alg} key have expired, retire it: npm run keys -- retire signing --file ${file} --kid <old kid>\n`,
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

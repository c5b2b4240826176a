/**
 * Creates what production needs instead of per-process keys: a JSON Web Key Set with one RS256 signing key
 * (for JWKS_FILE) and a cookie key (for COOKIE_KEYS).
 *
 *   npm run keys -- --out keys/jwks.json            write a new key set (refuses to overwrite)
 *   npm run keys -- --out keys/jwks.json --rotate   append a new key: published at once, signing only once an operator
 *                                                    moves it to the front (oidc-provider signs with the first key)
 *   … --cookie-out keys/cookie-keys                  also write a cookie key to a file, for COOKIE_KEYS_FILE (with
 *                                                    --rotate: a new key in front, the old ones kept to verify)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSigningKey } from '../src/oidc/signing-keys.ts';
import { randomToken } from '../src/shared/ids.ts';

const { values } = parseArgs({ options: { out: { type: 'string' }, 'cookie-out': { type: 'string' }, rotate: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });

if (values.help || !values.out) {
  process.stdout.write('usage: npm run keys -- --out <path/to/jwks.json> [--cookie-out <path/to/cookie-keys>] [--rotate]\n');
  process.exit(values.help ? 0 : 2);
}

const out = values.out;
const key = await generateSigningKey('RS256');
let keys = [key];
if (existsSync(out)) {
  if (!values.rotate) {
    process.stderr.write(`${out} exists; pass --rotate to append a new key to it\n`);
    process.exit(2);
  }
  const existing = JSON.parse(readFileSync(out, 'utf8')) as { keys: unknown[] };
  // Appended, not prepended: relying parties must be able to fetch a key before any token is signed with it.
  keys = [...(existing.keys as typeof keys), key];
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
process.stdout.write(`wrote ${out} (${keys.length} key${keys.length > 1 ? 's' : ''}, newest kid ${key.kid})\n`);
const cookieOut = values['cookie-out'];
if (cookieOut) {
  const older = existsSync(cookieOut) ? readFileSync(cookieOut, 'utf8').split('\n').map((k) => k.trim()).filter(Boolean) : [];
  if (older.length && !values.rotate) {
    process.stderr.write(`${cookieOut} exists; pass --rotate to put a new cookie key in front of it\n`);
    process.exit(2);
  }
  mkdirSync(dirname(cookieOut), { recursive: true });
  writeFileSync(cookieOut, `${[randomToken(32), ...older].join('\n')}\n`, { mode: 0o600 });
  process.stdout.write(`wrote ${cookieOut} (${older.length + 1} cookie key${older.length ? 's' : ''}, newest first)\nJWKS_FILE=${out}\nCOOKIE_KEYS_FILE=${cookieOut}\n`);
} else {
  process.stdout.write(`JWKS_FILE=${out}\nCOOKIE_KEYS=${randomToken(32)}\n`);
}

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JWK } from 'jose';
import { secretKeyId } from '../clients/secret-encryption.ts';
import { DEFAULT_SIGNING_ALG, generateSigningKey, signingAlgOf, type SigningAlg } from '../oidc/signing-keys.ts';
import { randomToken } from '../shared/ids.ts';

/**
 * The key files an operator keeps (docs/operations.md, "Rotating keys"), changed one step at a time so that no key
 * is ever edited by hand:
 * - signing keys (`JWKS_FILE`), one or more per algorithm (RS256, ES256, EdDSA): oidc-provider signs with the first
 *   key of the algorithm a token needs and publishes all. Per algorithm, `rotate` appends a new key (published, not
 *   signing yet), `promote` moves the newest in front of the others of its algorithm once relying parties have had
 *   time to fetch it, `retire` removes a key that no longer signs once the tokens signed with it have expired.
 * - cookie keys (`COOKIE_KEYS_FILE`) and client-secret keys (`SECRET_KEYS_FILE`): one per line, newest first.
 *   `rotate` puts a new key in front (it signs or encrypts from the next start; the older ones still verify or
 *   decrypt), `retire` removes one that nothing needs any more.
 */
export type KeyKind = 'signing' | 'cookie' | 'secret';

export class KeyFileError extends Error {}

/** One key as `list` prints it: its id, and what it does now. */
export interface ListedKey {
  id: string;
  /** A signing key's algorithm. */
  alg?: SigningAlg | 'unknown';
  role: 'signing' | 'published' | 'in use' | 'verifying only' | 'decrypting only';
}

export function listKeys(kind: KeyKind, file: string): ListedKey[] {
  if (kind === 'signing') {
    const keys = readJwks(file);
    return keys.map((k, i) => ({
      id: k.kid!,
      alg: signingAlgOf(k) ?? 'unknown',
      role: i === firstOfAlg(keys, signingAlgOf(k)) ? 'signing' : 'published',
    }));
  }
  return readLines(file).map((key, i) => ({
    id: kind === 'secret' ? secretKeyId(key) : `#${i + 1}`,
    role: i === 0 ? 'in use' : kind === 'cookie' ? 'verifying only' : 'decrypting only',
  }));
}

/** A new key: appended for signing keys (published before it signs), in front for the others. Returns its id. */
export async function rotateKey(kind: KeyKind, file: string, alg: SigningAlg = DEFAULT_SIGNING_ALG): Promise<string> {
  if (kind === 'signing') {
    const key = await generateSigningKey(alg);
    writeJwks(file, [...(existsSync(file) ? readJwks(file) : []), key]);
    return key.kid!;
  }
  const key = randomToken(32);
  writeLines(file, [key, ...(existsSync(file) ? readLines(file) : [])]);
  return kind === 'secret' ? secretKeyId(key) : '#1';
}

/** The newest signing key of `alg` (the last appended) becomes the one that signs with it. Returns its kid. */
export function promoteSigningKey(file: string, alg: SigningAlg = DEFAULT_SIGNING_ALG): string {
  const keys = readJwks(file);
  const ofAlg = keys.filter((k) => signingAlgOf(k) === alg);
  if (ofAlg.length < 2)
    throw new KeyFileError(
      `${file} has ${ofAlg.length ? 'one' : 'no'} ${alg} key: rotate first, then promote the new one`,
    );
  const newest = ofAlg[ofAlg.length - 1]!;
  const rest = keys.filter((k) => k !== newest);
  const at = firstOfAlg(rest, alg);
  writeJwks(file, [...rest.slice(0, at), newest, ...rest.slice(at)]);
  return newest.kid!;
}

/** The position of the first key of `alg`, the one oidc-provider signs that algorithm's tokens with. */
function firstOfAlg(keys: readonly JWK[], alg: SigningAlg | undefined): number {
  return keys.findIndex((k) => signingAlgOf(k) === alg);
}

/**
 * Removes a key by its id (a signing key's kid, a client-secret key's id; for cookie keys the oldest goes when no id
 * is given). The key in use is never removed: there must always be one to sign, set cookies or encrypt with.
 */
export function retireKey(kind: KeyKind, file: string, id?: string): string {
  const listed = listKeys(kind, file);
  const target = id ?? (kind === 'cookie' ? listed[listed.length - 1]?.id : undefined);
  if (!target) throw new KeyFileError(`name the key to retire with --kid (npm run keys -- list ${kind} --file …)`);
  const index = listed.findIndex((k) => k.id === target);
  if (index < 0) throw new KeyFileError(`${file} has no key ${target}`);
  const inUse = kind === 'signing' ? listed[index]!.role === 'signing' : index === 0;
  if (inUse) {
    throw new KeyFileError(
      kind === 'signing'
        ? `${target} signs ${listed[index]!.alg} tokens: promote another ${listed[index]!.alg} key first`
        : `${target} is the key in use: rotate first, then retire the old one`,
    );
  }
  if (kind === 'signing')
    writeJwks(
      file,
      readJwks(file).filter((_, i) => i !== index),
    );
  else
    writeLines(
      file,
      readLines(file).filter((_, i) => i !== index),
    );
  return target;
}

function readJwks(file: string): JWK[] {
  if (!existsSync(file)) throw new KeyFileError(`${file} does not exist`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new KeyFileError(`${file} is not JSON`);
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || !keys.length || !keys.every((k) => typeof (k as JWK).kid === 'string')) {
    throw new KeyFileError(`${file} is not a key set with a kid on every key`);
  }
  return keys as JWK[];
}

function readLines(file: string): string[] {
  if (!existsSync(file)) throw new KeyFileError(`${file} does not exist`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((k) => k.trim())
    .filter(Boolean);
}

const writeJwks = (file: string, keys: JWK[]) => writeAtomically(file, `${JSON.stringify({ keys }, null, 2)}\n`);
const writeLines = (file: string, keys: string[]) => writeAtomically(file, `${keys.join('\n')}\n`);

/** Written beside and renamed over: a node reading the file at that moment sees the old keys or the new, never half. */
function writeAtomically(file: string, content: string) {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  renameSync(temporary, file);
}

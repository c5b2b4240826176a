import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { AppError, ConfigError } from '../shared/errors.ts';

/**
 * Client secrets at rest (docs/decisions/0008-client-secrets-encrypted.md). oidc-provider compares the plaintext
 * for client_secret_basic and client_secret_post, so a secret cannot be hashed; it is encrypted with AES-256-GCM
 * under keys from SECRET_KEYS instead, and a copy of the database (a backup, a dump) no longer opens every portal.
 *
 * Stored form: `enc:v1:<key id>:<iv>:<ciphertext>:<tag>`, each part base64url. The key id names the key that wrote
 * the value, so after a rotation (a new key put first) values written with an older key still read, while every
 * new write uses the newest key. Anything not in that form is plaintext from before encryption: it reads as is and
 * is encrypted at its next write, so an existing deployment keeps working without a migration.
 */

const PREFIX = 'enc:v1:';
/** Binds each AES key to this one use: the same SECRET_KEYS value given to another purpose yields another key. */
const HKDF_INFO = 'profile-broker client-secret v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const MIN_SECRET_KEY_LENGTH = 32;

export interface SecretKeyring {
  /** The id of the newest key, the one every new value is encrypted with. */
  readonly currentKeyId: string;
  /**
   * `plaintext` encrypted with the newest key. The client id is bound to the value as additional authenticated
   * data: a ciphertext copied into another client's document does not decrypt there.
   */
  encrypt(plaintext: string, clientId: string): string;
  /** The plaintext of a stored value; legacy plaintext is returned as it is. Throws SecretKeyError. */
  decrypt(stored: string, clientId: string): string;
}

/**
 * A stored client secret that cannot be read back. It is a deployment problem (a key missing from SECRET_KEYS, or a
 * document changed by hand), so it answers 500 and its message, which names the setting to fix, goes to the log
 * only. The message never holds the value.
 */
export class SecretKeyError extends AppError {
  readonly keyId: string | undefined;
  constructor(message: string, keyId?: string) {
    super(500, 'client_secret_unreadable', message, { expose: false });
    this.keyId = keyId;
  }
}

/** `secrets` newest first, each at least 32 characters (config validates them; this guards other callers). */
export function createSecretKeyring(secrets: readonly string[]): SecretKeyring {
  if (!secrets.length) throw new ConfigError(['SECRET_KEYS: at least one key is needed to encrypt client secrets']);
  const keys = secrets.map((secret, i) => {
    if (secret.length < MIN_SECRET_KEY_LENGTH)
      throw new ConfigError([`SECRET_KEYS: key ${i + 1} has fewer than ${MIN_SECRET_KEY_LENGTH} characters`]);
    const key = deriveKey(secret);
    return { id: keyIdOf(key), key };
  });
  const newest = keys[0]!;
  const byId = new Map(keys.map((k) => [k.id, k.key]));
  // oidc-provider reads a client on every request that names it; an encrypted value (a random IV each time it is
  // written) always opens to the same secret, so each is opened once per process. Bounded: a store of many clients
  // starts the memo afresh rather than growing without end.
  // Keyed by the stored value alone (no key string built per lookup); the client id is checked beside it, since
  // the value opens only for the client it was written for.
  const opened = new Map<string, { clientId: string; plaintext: string }>();

  return {
    currentKeyId: newest.id,
    encrypt(plaintext, clientId) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', newest.key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad(clientId));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${PREFIX}${newest.id}:${b64(iv)}:${b64(ciphertext)}:${b64(cipher.getAuthTag())}`;
    },
    decrypt(stored, clientId) {
      if (!stored.startsWith(PREFIX)) return stored;
      const known = opened.get(stored);
      if (known?.clientId === clientId) return known.plaintext;
      const plaintext = open(stored, clientId);
      if (opened.size >= MEMO_LIMIT) opened.clear();
      opened.set(stored, { clientId, plaintext });
      return plaintext;
    },
  };

  function open(stored: string, clientId: string): string {
    const parts = parse(stored.slice(PREFIX.length));
    if (!parts)
      throw new SecretKeyError(
        `the stored secret of client ${clientId} starts like an encrypted value but is malformed; the document was changed by hand: rotate the client's secret (or restart, for a client named by configuration)`,
      );
    const key = byId.get(parts.keyId);
    if (!key) {
      throw new SecretKeyError(
        `the secret of client ${clientId} was encrypted with key ${parts.keyId}, which SECRET_KEYS (or SECRET_KEYS_FILE) does not hold (it holds ${[...byId.keys()].join(', ')}): put the key it was written with back in the list, after the newest one`,
        parts.keyId,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, parts.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(clientId));
      decipher.setAuthTag(parts.tag);
      return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretKeyError(
        `the secret of client ${clientId} fails authentication under key ${parts.keyId} of SECRET_KEYS: the stored value was changed or copied from another client; rotate the client's secret (or restart, for a client named by configuration)`,
        parts.keyId,
      );
    }
  }
}

/** How many opened secrets a process keeps (one per client and stored value). */
const MEMO_LIMIT = 10_000;

/** The id a secret key gets in stored values; `npm run keys` prints it so operators can tell keys apart. */
export function secretKeyId(secret: string): string {
  return keyIdOf(deriveKey(secret));
}

/**
 * Outside production SECRET_KEYS may be unset. Then one key is derived from each cookie key, as the demo derives
 * its secrets (src/demo/demo-secrets.ts): nodes that share cookie keys agree, a rotated-in cookie key still reads
 * what its predecessor wrote while that stays in the list, and with per-process cookie keys the keys are
 * per-process too, like the memory store they then protect.
 */
export function secretKeysFromCookieKeys(cookieKeys: readonly string[]): string[] {
  return cookieKeys.map((cookieKey) => createHmac('sha256', cookieKey).update('client-secret-key').digest('base64url'));
}

function deriveKey(secret: string): Buffer {
  // No salt: the input is a high-entropy secret, and the info string is what separates this use (RFC 5869 §3.1).
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), HKDF_INFO, 32));
}

/** A one-way digest of the derived key: it names the key without revealing anything about it. */
function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

const b64 = (bytes: Buffer) => bytes.toString('base64url');
const aad = (clientId: string) => Buffer.from(`client_secret:${clientId}`, 'utf8');

const B64URL = /^[A-Za-z0-9_-]*$/;

function parse(rest: string): { keyId: string; iv: Buffer; ciphertext: Buffer; tag: Buffer } | undefined {
  const parts = rest.split(':');
  if (parts.length !== 4) return undefined;
  const [keyId, iv, ciphertext, tag] = parts as [string, string, string, string];
  if (!/^[0-9a-f]{8}$/.test(keyId) || ![iv, ciphertext, tag].every((p) => B64URL.test(p))) return undefined;
  const decoded = {
    keyId,
    iv: Buffer.from(iv, 'base64url'),
    ciphertext: Buffer.from(ciphertext, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
  };
  // An exact tag length: GCM would otherwise accept a truncated tag, which is easier to forge.
  return decoded.iv.length === IV_BYTES && decoded.tag.length === TAG_BYTES ? decoded : undefined;
}

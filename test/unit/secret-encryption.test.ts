import { describe, expect, it } from '@jest/globals';
import {
  createSecretKeyring,
  secretKeyId,
  SecretKeyError,
  secretKeysFromCookieKeys,
} from '../../src/clients/secret-encryption.ts';
import { ConfigError } from '../../src/shared/errors.ts';

const OLD = 'old-secret-key-0123456789abcdefghijklmnop';
const NEW = 'new-secret-key-0123456789abcdefghijklmnop';
const SECRET = 'portal-secret-0123456789abcdefghijklmnop';

/** The error a call throws, for assertions on its type and message. */
function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('the client-secret keyring', () => {
  it('encrypts to the stored form, naming its key, and decrypts back', () => {
    const keyring = createSecretKeyring([NEW]);
    const stored = keyring.encrypt(SECRET, 'portal');
    expect(stored).toMatch(/^enc:v1:[0-9a-f]{8}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]{22}$/);
    expect(stored.split(':')[2]).toBe(keyring.currentKeyId);
    expect(keyring.currentKeyId).toBe(secretKeyId(NEW));
    expect(stored).not.toContain(SECRET);
    expect(keyring.decrypt(stored, 'portal')).toBe(SECRET);
    expect(keyring.decrypt(keyring.encrypt('', 'portal'), 'portal')).toBe('');
    expect(keyring.decrypt(keyring.encrypt('né ✓', 'portal'), 'portal')).toBe('né ✓');
  });

  it('gives a different value each time it encrypts the same secret (a fresh IV each time)', () => {
    const keyring = createSecretKeyring([NEW]);
    const [a, b] = [keyring.encrypt(SECRET, 'portal'), keyring.encrypt(SECRET, 'portal')];
    expect(a).not.toBe(b);
    expect(a.split(':')[3]).not.toBe(b.split(':')[3]);
    expect([keyring.decrypt(a, 'portal'), keyring.decrypt(b, 'portal')]).toEqual([SECRET, SECRET]);
  });

  it('rotates: with a new key put first, values written with the old key still read and new writes use the new key', () => {
    const before = createSecretKeyring([OLD]);
    const written = before.encrypt(SECRET, 'portal');
    const rotated = createSecretKeyring([NEW, OLD]);
    expect(rotated.decrypt(written, 'portal')).toBe(SECRET);
    const rewritten = rotated.encrypt(SECRET, 'portal');
    expect(rewritten.split(':')[2]).toBe(secretKeyId(NEW));
    expect(rewritten.split(':')[2]).not.toBe(written.split(':')[2]);
    // Once every value was written again, the old key can go.
    expect(createSecretKeyring([NEW]).decrypt(rewritten, 'portal')).toBe(SECRET);
  });

  it('refuses a value written with a key it does not hold, with a typed error naming SECRET_KEYS and never the value', () => {
    const written = createSecretKeyring([OLD]).encrypt(SECRET, 'portal');
    const err = thrownBy(() => createSecretKeyring([NEW]).decrypt(written, 'portal'));
    expect(err).toBeInstanceOf(SecretKeyError);
    expect(err).toMatchObject({
      status: 500,
      code: 'client_secret_unreadable',
      expose: false,
      keyId: secretKeyId(OLD),
    });
    expect(err.message).toContain('SECRET_KEYS');
    expect(err.message).toContain(`key ${secretKeyId(OLD)}`);
    expect(err.message).toContain('client portal');
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toContain(written.split(':')[4]!);
  });

  it('refuses a tampered ciphertext, tag or IV, and a value moved to another client, with the typed error', () => {
    const keyring = createSecretKeyring([NEW]);
    const stored = keyring.encrypt(SECRET, 'portal');
    const parts = stored.split(':');
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64url');
      bytes[0]! ^= 1;
      return bytes.toString('base64url');
    };
    const tampered = [4, 5, 3].map((i) => parts.map((p, j) => (j === i ? flip(p) : p)).join(':'));
    for (const value of [...tampered, stored]) {
      const clientId = value === stored ? 'another-portal' : 'portal';
      const err = thrownBy(() => keyring.decrypt(value, clientId));
      expect(err).toBeInstanceOf(SecretKeyError);
      expect(err.message).toContain('SECRET_KEYS');
      expect(err.message).not.toContain(SECRET);
    }
  });

  it('refuses a malformed encrypted value and a truncated tag instead of reading them as plaintext', () => {
    const keyring = createSecretKeyring([NEW]);
    const parts = keyring.encrypt(SECRET, 'portal').split(':');
    const truncatedTag = [
      ...parts.slice(0, 5),
      Buffer.from(parts[5]!, 'base64url').subarray(0, 4).toString('base64url'),
    ].join(':');
    for (const value of ['enc:v1:', 'enc:v1:zzzzzzzz:a:b:c', parts.slice(0, 5).join(':'), truncatedTag]) {
      expect(thrownBy(() => keyring.decrypt(value, 'portal'))).toBeInstanceOf(SecretKeyError);
    }
  });

  it('reads legacy plaintext (stored before encryption) as it is', () => {
    const keyring = createSecretKeyring([NEW]);
    expect(keyring.decrypt(SECRET, 'portal')).toBe(SECRET);
    expect(keyring.decrypt('enc-but-not-ours', 'portal')).toBe('enc-but-not-ours');
  });

  it('needs at least one key of 32 or more characters', () => {
    expect(() => createSecretKeyring([])).toThrow(ConfigError);
    expect(() => createSecretKeyring(['short'])).toThrow(ConfigError);
  });

  it('derives a development key per cookie key: the same on every node that shares them, none equal to a cookie key', () => {
    const cookieKeys = ['c'.repeat(32), 'd'.repeat(32)];
    const derived = secretKeysFromCookieKeys(cookieKeys);
    expect(derived).toEqual(secretKeysFromCookieKeys([...cookieKeys]));
    expect(derived).toHaveLength(2);
    expect(derived.every((k) => k.length >= 32 && !cookieKeys.includes(k))).toBe(true);
    expect(
      createSecretKeyring(derived).decrypt(
        createSecretKeyring(secretKeysFromCookieKeys(['d'.repeat(32)])).encrypt(SECRET, 'p'),
        'p',
      ),
    ).toBe(SECRET);
  });
});

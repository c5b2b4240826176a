import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { createSecretKeyring, secretKeyId } from '../../src/clients/secret-encryption.ts';
import { loadConfig } from '../../src/config/load.ts';
import { Browser } from '../support/browser.ts';
import { startBroker } from '../support/broker.ts';
import { signIn } from '../support/flows.ts';
import { nodeChildEnv } from '../support/node-child.ts';
import { createPortal } from '../support/portal.ts';

const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'generate-keys.ts');
const COOKIE_KEYS = ['rotation-test-cookie-key-0123456789abcdef'];
const SCRIPT_ENV = { ...process.env, ...nodeChildEnv() };

/** A broker on the key set in `file`: one sign-in's ID token, and the JWKS it publishes. */
async function withKeys(file: string) {
  const broker = await startBroker({ keys: { jwksFile: file, cookieKeys: COOKIE_KEYS } });
  try {
    const { tokens } = await signIn(new Browser(), await createPortal(broker.issuer), 'alice');
    const jwks = await fetch(`${broker.issuer}/jwks`).then(
      (r) => r.json() as Promise<{ keys: { kid: string; d?: string }[] }>,
    );
    return { idToken: tokens.id_token!, jwks, issuer: broker.issuer };
  } finally {
    await broker.close();
  }
}

describe('signing-key rotation (README "Key rotation")', () => {
  it('publishes a new key before it signs, and old tokens verify until the old key is removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keys-'));
    const file = join(dir, 'jwks.json');
    const run = (...args: string[]) =>
      execFileSync(process.execPath, [SCRIPT, '--out', file, ...args], { encoding: 'utf8', env: SCRIPT_ENV });

    run();
    const [oldKid] = (JSON.parse(readFileSync(file, 'utf8')) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const before = await withKeys(file);
    expect(decodeProtectedHeader(before.idToken).kid).toBe(oldKid);
    expect(before.jwks.keys.every((k) => k.d === undefined)).toBe(true);

    // Step 1: append. Published at once, not signing yet.
    run('--rotate');
    const keys = (JSON.parse(readFileSync(file, 'utf8')) as { keys: { kid: string }[] }).keys;
    const newKid = keys[1]!.kid;
    const published = await withKeys(file);
    expect(published.jwks.keys.map((k) => k.kid)).toEqual([oldKid, newKid]);
    expect(decodeProtectedHeader(published.idToken).kid).toBe(oldKid);

    // Step 2: move the new key to the front. New tokens carry it; a token from before still verifies.
    writeFileSync(file, JSON.stringify({ keys: [keys[1], keys[0]] }));
    const after = await withKeys(file);
    expect(decodeProtectedHeader(after.idToken).kid).toBe(newKid);
    const keySet = createLocalJWKSet(after.jwks as never);
    await expect(jwtVerify(before.idToken, keySet, { audience: 'test-portal' })).resolves.toBeDefined();
    await expect(jwtVerify(after.idToken, keySet, { audience: 'test-portal' })).resolves.toBeDefined();

    // Step 3: once old tokens have expired, the old key goes and tokens signed with it no longer verify.
    writeFileSync(file, JSON.stringify({ keys: [keys[1]] }));
    const retired = await withKeys(file);
    await expect(
      jwtVerify(before.idToken, createLocalJWKSet(retired.jwks as never), { audience: 'test-portal' }),
    ).rejects.toThrow();
  }, 30_000);
});

describe('client-secret key rotation (README "Client secrets at rest")', () => {
  it('writes a key file for SECRET_KEYS_FILE, refuses to overwrite it, and with --rotate puts a new key in front of the old', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'secret-keys-')), 'secret-keys');
    const run = (...args: string[]) =>
      execFileSync(process.execPath, [SCRIPT, '--secret-out', file, ...args], {
        encoding: 'utf8',
        env: SCRIPT_ENV,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const keysInFile = () => readFileSync(file, 'utf8').split('\n').filter(Boolean);

    const first = run();
    const [oldKey] = keysInFile();
    expect(keysInFile()).toHaveLength(1);
    expect(oldKey!.length).toBeGreaterThanOrEqual(32);
    expect(first).toContain(`key ids ${secretKeyId(oldKey!)}`);
    expect(first).toContain(`SECRET_KEYS_FILE=${file}`);
    expect(() => run()).toThrow(/pass --rotate to put a new client-secret key in front of it/);
    expect(keysInFile()).toEqual([oldKey]);

    const written = createSecretKeyring([oldKey!]).encrypt('portal-secret', 'portal');
    run('--rotate');
    const [newKey, kept] = keysInFile();
    expect(kept).toBe(oldKey);
    // The broker reads the file newest first: new values under the new key, old values still readable.
    const keyring = createSecretKeyring(loadConfig({ SECRET_KEYS_FILE: file }).keys.secretKeys!);
    expect(keyring.currentKeyId).toBe(secretKeyId(newKey!));
    expect(keyring.decrypt(written, 'portal')).toBe('portal-secret');
  });

  it('prints a SECRET_KEYS value beside COOKIE_KEYS when it writes a key set without key files', () => {
    const printed = execFileSync(
      process.execPath,
      [SCRIPT, '--out', join(mkdtempSync(join(tmpdir(), 'keys-')), 'jwks.json')],
      { encoding: 'utf8', env: SCRIPT_ENV },
    );
    const secret = /^SECRET_KEYS=(.+)$/m.exec(printed)?.[1];
    const cookie = /^COOKIE_KEYS=(.+)$/m.exec(printed)?.[1];
    expect(secret!.length).toBeGreaterThanOrEqual(32);
    expect(secret).not.toBe(cookie);
  });
});

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

    // A new key set: a key of each algorithm, RS256 first (it signs ID tokens unless a portal asks otherwise).
    run();
    const [oldKid, es256, eddsa] = (JSON.parse(readFileSync(file, 'utf8')) as { keys: { kid: string }[] }).keys.map(
      (k) => k.kid,
    );
    expect([oldKid, es256, eddsa].map((kid) => kid!.split('-')[0])).toEqual(['rs256', 'es256', 'eddsa']);
    const before = await withKeys(file);
    expect(decodeProtectedHeader(before.idToken).kid).toBe(oldKid);
    expect(before.jwks.keys.every((k) => k.d === undefined)).toBe(true);

    // Step 1: append. Published at once, not signing yet.
    run('--rotate');
    const keys = (JSON.parse(readFileSync(file, 'utf8')) as { keys: { kid: string }[] }).keys;
    const newKid = keys[3]!.kid;
    const published = await withKeys(file);
    expect(published.jwks.keys.map((k) => k.kid)).toEqual([oldKid, es256, eddsa, newKid]);
    expect(decodeProtectedHeader(published.idToken).kid).toBe(oldKid);

    // Step 2: promote the new key. New tokens carry it; a token from before still verifies.
    const step = (...args: string[]) =>
      execFileSync(process.execPath, [SCRIPT, ...args, '--file', file], { encoding: 'utf8', env: SCRIPT_ENV });
    expect(step('promote', 'signing')).toContain(`${newKid} signs RS256 tokens now`);
    expect(step('list', 'signing')).toBe(
      `${newKid}\tRS256\tsigning\n${oldKid}\tRS256\tpublished\n${es256}\tES256\tsigning\n${eddsa}\tEdDSA\tsigning\n`,
    );
    const after = await withKeys(file);
    expect(decodeProtectedHeader(after.idToken).kid).toBe(newKid);
    const keySet = createLocalJWKSet(after.jwks as never);
    await expect(jwtVerify(before.idToken, keySet, { audience: 'test-portal' })).resolves.toBeDefined();
    await expect(jwtVerify(after.idToken, keySet, { audience: 'test-portal' })).resolves.toBeDefined();

    // Step 3: once old tokens have expired, the old key goes and tokens signed with it no longer verify.
    expect(step('retire', 'signing', '--kid', oldKid!)).toContain(`removed ${oldKid}`);
    expect(step('list', 'signing')).toBe(
      `${newKid}\tRS256\tsigning\n${es256}\tES256\tsigning\n${eddsa}\tEdDSA\tsigning\n`,
    );
    const retired = await withKeys(file);
    await expect(
      jwtVerify(before.idToken, createLocalJWKSet(retired.jwks as never), { audience: 'test-portal' }),
    ).rejects.toThrow();
  }, 30_000);
});

describe('one command per rotation step (npm run keys -- list|rotate|promote|retire)', () => {
  const runStep = (...args: string[]) => {
    try {
      const stdout = execFileSync(process.execPath, [SCRIPT, ...args], {
        encoding: 'utf8',
        env: SCRIPT_ENV,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return { code: 0, stdout, stderr: '' };
    } catch (err) {
      const failed = err as { status: number; stdout: string; stderr: string };
      return { code: failed.status, stdout: failed.stdout, stderr: failed.stderr };
    }
  };

  it('rotates the signing keys without editing the file: refuses to promote a lone key or retire the signing one', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'keys-')), 'jwks.json');
    expect(runStep('rotate', 'signing', '--file', file).code).toBe(0);
    const [first] = runStep('list', 'signing', '--file', file).stdout.split('\t');
    expect(runStep('promote', 'signing', '--file', file)).toMatchObject({
      code: 2,
      stderr: `${file} has one RS256 key: rotate first, then promote the new one\n`,
    });
    expect(runStep('retire', 'signing', '--file', file, '--kid', first!)).toMatchObject({
      code: 2,
      stderr: `${first} signs RS256 tokens: promote another RS256 key first\n`,
    });
    expect(runStep('retire', 'signing', '--file', file, '--kid', 'no-such-kid')).toMatchObject({
      code: 2,
      stderr: `${file} has no key no-such-kid\n`,
    });
    expect(runStep('retire', 'signing', '--file', file).stderr).toContain('name the key to retire with --kid');
    expect(runStep('rotate', 'nonsense', '--file', file)).toMatchObject({ code: 2 });
    // Refusals change nothing.
    expect(runStep('list', 'signing', '--file', file).stdout).toBe(`${first}\tRS256\tsigning\n`);
    // Per algorithm: an ES256 key rotated in and promoted signs ES256 tokens; the RS256 key still signs its own.
    // The first key of an algorithm signs at once (a key set from before ES256 gets one this way).
    expect(runStep('rotate', 'signing', '--alg', 'ES256', '--file', file).stdout).toContain(
      'the first ES256 key: it signs ES256 tokens from the next start',
    );
    expect(runStep('promote', 'signing', '--alg', 'ES256', '--file', file).stderr).toContain('has one ES256 key');
    expect(runStep('rotate', 'signing', '--alg', 'ES256', '--file', file).code).toBe(0);
    const [, oldEs, newEs] = runStep('list', 'signing', '--file', file)
      .stdout.trim()
      .split('\n')
      .map((line) => line.split('\t')[0]);
    expect(runStep('promote', 'signing', '--alg', 'ES256', '--file', file).stdout).toContain(`${newEs} signs ES256`);
    expect(runStep('list', 'signing', '--file', file).stdout).toBe(
      `${first}\tRS256\tsigning\n${newEs}\tES256\tsigning\n${oldEs}\tES256\tpublished\n`,
    );
    expect(runStep('rotate', 'signing', '--alg', 'HS256', '--file', file)).toMatchObject({ code: 2 });
  });

  it('rotates cookie and client-secret keys: a new key in front, the old retired by id (cookie: the oldest)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'line-keys-'));
    const cookies = join(dir, 'cookie-keys');
    writeFileSync(cookies, 'old-cookie-key-0123456789abcdef0123456789\n');
    expect(runStep('rotate', 'cookie', '--file', cookies).code).toBe(0);
    const rotated = readFileSync(cookies, 'utf8').split('\n').filter(Boolean);
    expect(rotated).toHaveLength(2);
    expect(rotated[1]).toBe('old-cookie-key-0123456789abcdef0123456789');
    expect(runStep('list', 'cookie', '--file', cookies).stdout).toBe('#1\tin use\n#2\tverifying only\n');
    expect(runStep('retire', 'cookie', '--file', cookies).stdout).toContain('removed #2');
    expect(readFileSync(cookies, 'utf8').split('\n').filter(Boolean)).toEqual([rotated[0]]);
    expect(runStep('retire', 'cookie', '--file', cookies).code).toBe(2);

    const secrets = join(dir, 'secret-keys');
    writeFileSync(secrets, 'old-secret-key-0123456789abcdef012345678\n');
    const oldId = secretKeyId('old-secret-key-0123456789abcdef012345678');
    expect(runStep('rotate', 'secret', '--file', secrets).code).toBe(0);
    const [newLine] = readFileSync(secrets, 'utf8').split('\n');
    expect(runStep('list', 'secret', '--file', secrets).stdout).toBe(
      `${secretKeyId(newLine!)}\tin use\n${oldId}\tdecrypting only\n`,
    );
    expect(runStep('retire', 'secret', '--file', secrets, '--kid', oldId).code).toBe(0);
    expect(readFileSync(secrets, 'utf8')).toBe(`${newLine}\n`);
  });
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

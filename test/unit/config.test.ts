import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadConfig, loadDirectorySettings } from '../../src/config/load.ts';
import { ConfigError } from '../../src/shared/errors.ts';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('runs the embedded demo on defaults: port 3000, localhost issuer, memory stores', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      issuer: 'http://localhost:3000',
      demo: { enabled: true },
    });
    expect(config.stores.mongodbUri ?? config.stores.redisUrl).toBeUndefined();
    expect(Object.isFrozen(config.ttl)).toBe(true);
  });

  it('knows customer, partner and employee profiles unless PROFILE_KINDS or the file names others', () => {
    expect(loadConfig({}).directory.profileKinds).toEqual(['customer', 'partner', 'employee']);
    expect(loadConfig({ PROFILE_KINDS: ' customer, employee ,supplier' }).directory.profileKinds).toEqual([
      'customer',
      'employee',
      'supplier',
    ]);
    expect(loadConfig({}, { directory: { profileKinds: ['member'] } }).directory.profileKinds).toEqual(['member']);
    expect(loadDirectorySettings({ PROFILE_KINDS: 'customer,staff', REDIS_URL: 'redis://only-this' })).toEqual({
      profileKinds: ['customer', 'staff'],
    });
  });

  it('refuses to start on profile kinds that are empty, not lower-case slugs, or repeated, naming each', () => {
    expect(problemsOf(() => loadConfig({ PROFILE_KINDS: '' }))).toEqual([
      'directory.profileKinds: name at least one profile kind (PROFILE_KINDS)',
    ]);
    expect(problemsOf(() => loadConfig({ PROFILE_KINDS: ' , ' }))).toEqual([
      'directory.profileKinds: name at least one profile kind (PROFILE_KINDS)',
    ]);
    expect(problemsOf(() => loadConfig({ PROFILE_KINDS: 'customer,Partner,field staff,customer' }))).toEqual([
      'directory.profileKinds.1: "Partner" is not a lower-case slug (a letter, then letters, digits or dashes, at most 32)',
      'directory.profileKinds.2: "field staff" is not a lower-case slug (a letter, then letters, digits or dashes, at most 32)',
      'directory.profileKinds.3: "customer" is named twice',
    ]);
    expect(() => loadDirectorySettings({ PROFILE_KINDS: 'a,a' })).toThrow('"a" is named twice');
  });

  it('takes PORT and ISSUER from the environment', () => {
    expect(loadConfig({ PORT: '4000' }).issuer).toBe('http://localhost:4000');
    expect(loadConfig({ PORT: '4000', ISSUER: 'https://id.example.com/' }).issuer).toBe('https://id.example.com');
  });

  it('reads a configuration file and resolves env: references, naming the variables that are missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'broker-config-'));
    const file = join(dir, 'broker.json');
    writeFileSync(
      file,
      JSON.stringify({
        upstreams: [
          {
            id: 'msa',
            name: 'Microsoft account',
            issuer: 'https://login.microsoftonline.com/consumers/v2.0',
            clientId: 'env:MSA_CLIENT_ID',
            clientSecret: 'env:MSA_SECRET',
          },
        ],
      }),
    );
    const config = loadConfig({ BROKER_CONFIG: file, MSA_CLIENT_ID: 'abc', MSA_SECRET: 's3cret' });
    expect(config.upstreams[0]).toMatchObject({
      id: 'msa',
      clientId: 'abc',
      clientSecret: 's3cret',
      scopes: ['openid', 'email', 'profile'],
      enabled: true,
    });
    expect(problemsOf(() => loadConfig({ BROKER_CONFIG: file, MSA_CLIENT_ID: 'abc' }))).toEqual([
      'upstreams.0.clientSecret: environment variable MSA_SECRET is not set',
    ]);
  });

  it('names every invalid setting at once', () => {
    const problems = problemsOf(() => loadConfig({ PORT: 'nope', LOG_LEVEL: 'loud', DEMO: 'maybe' }));
    expect(problems).toEqual(expect.arrayContaining(['DEMO: expected true or false, got "maybe"']));
    expect(problems.some((p) => p.startsWith('port:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('logLevel:'))).toBe(true);
  });

  it('refuses to start production on development defaults, naming every missing setting in one error', () => {
    const problems = problemsOf(() => loadConfig({ NODE_ENV: 'production', DEMO: 'true' }));
    expect(problems).toHaveLength(10);
    expect(problems.join('\n')).toMatch(/MONGODB_URI and REDIS_URL: memory stores/);
    expect(problems.join('\n')).toMatch(/JWKS_FILE/);
    expect(problems.join('\n')).toMatch(/COOKIE_KEYS/);
    expect(problems.join('\n')).toMatch(
      /SECRET_KEYS: client secrets are encrypted with a key derived from the cookie keys/,
    );
    expect(problems.join('\n')).toMatch(/SMTP_URL/);
    expect(problems.join('\n')).toMatch(
      /MAIL_FROM: every email would be sent from the placeholder Profile broker <no-reply@localhost>/,
    );
    expect(problems.join('\n')).toMatch(
      /SUPPORT_EMAIL: pages and emails would send people who are stuck to the placeholder support@example.com/,
    );
    expect(problems.join('\n')).toMatch(/DEMO: the development upstream/);
    expect(problems.join('\n')).toMatch(/ISSUER: must be the broker's public https URL/);
    expect(problems.join('\n')).toMatch(/upstreams: no upstream/);
    // The demo is off by default in production; only an explicit DEMO=true is refused.
    expect(problemsOf(() => loadConfig({ NODE_ENV: 'production' }))).toHaveLength(9);
  });

  it('in production, refuses placeholder sender and support addresses (localhost, example.com) and takes real ones', () => {
    const sender = (env: Record<string, string>) =>
      problemsOf(() => loadConfig({ NODE_ENV: 'production', ...env })).filter((p) =>
        /^(MAIL_FROM|SUPPORT_EMAIL):/.test(p),
      );
    expect(sender({ MAIL_FROM: 'no-reply@localhost', SUPPORT_EMAIL: 'help@EXAMPLE.org' })).toEqual([
      expect.stringMatching(/^MAIL_FROM: .*placeholder no-reply@localhost; set MAIL_FROM/),
      expect.stringMatching(/^SUPPORT_EMAIL: .*placeholder help@EXAMPLE.org; set SUPPORT_EMAIL/),
    ]);
    expect(sender({ MAIL_FROM: 'Sign-in <no-reply@mail.example.net>' })).toHaveLength(2);
    expect(
      sender({ MAIL_FROM: 'Contoso sign-in <no-reply@id.contoso.com>', SUPPORT_EMAIL: 'help@contoso.com' }),
    ).toEqual([]);
    // A real domain that merely ends like a placeholder is not one.
    expect(sender({ MAIL_FROM: 'no-reply@myexample.com', SUPPORT_EMAIL: 'help@notlocalhost.dev' })).toEqual([]);
  });

  it('refuses a plain-http upstream issuer without allowInsecureHttp at start, naming the upstream and its issuer', () => {
    const problems = problemsOf(() =>
      loadConfig(
        {},
        {
          upstreams: [
            { id: 'corp', name: 'Corp', issuer: 'https://idp.example', clientId: 'c' },
            { id: 'local', name: 'Local', issuer: 'http://localhost:8080/realms/dev', clientId: 'c' },
          ],
        },
      ),
    );
    expect(problems).toEqual([
      'upstreams.1.issuer: upstream local has a plain-http issuer (http://localhost:8080/realms/dev): use its https URL, or set allowInsecureHttp for a development upstream',
    ]);
    // Said so, a development upstream on plain http is accepted outside production.
    const config = loadConfig(
      {},
      {
        upstreams: [
          {
            id: 'local',
            name: 'Local',
            issuer: 'http://localhost:8080/realms/dev',
            clientId: 'c',
            allowInsecureHttp: true,
          },
        ],
      },
    );
    expect(config.upstreams[0]).toMatchObject({ id: 'local', allowInsecureHttp: true });
  });

  it('in production, also refuses a plain-http upstream and short cookie keys', () => {
    const problems = problemsOf(() =>
      loadConfig(
        { NODE_ENV: 'production', COOKIE_KEYS: 'short' },
        {
          upstreams: [{ id: 'x', name: 'X', issuer: 'http://idp.example', clientId: 'c', allowInsecureHttp: true }],
        },
      ),
    );
    expect(problems).toEqual(['keys.cookieKeys.0: cookie keys need at least 32 characters']);
    const more = problemsOf(() =>
      loadConfig(
        {
          NODE_ENV: 'production',
          COOKIE_KEYS: 'k'.repeat(32),
          SECRET_KEYS: 's'.repeat(32),
          DEMO: 'false',
          ISSUER: 'https://id.example',
          JWKS_FILE: '/keys.json',
          SMTP_URL: 'smtp://mail.example',
          MAIL_FROM: 'no-reply@id.contoso.com',
          SUPPORT_EMAIL: 'help@contoso.com',
        },
        {
          upstreams: [{ id: 'x', name: 'X', issuer: 'http://idp.example', clientId: 'c', allowInsecureHttp: true }],
        },
      ),
    );
    expect(more).toEqual([
      expect.stringMatching(/^MONGODB_URI and REDIS_URL:/),
      'upstreams.x: plain-http upstreams are development-only',
    ]);
  });

  it('keeps config/example.production.json valid: with its secrets, keys, stores and addresses set, production starts', () => {
    const env = {
      MONGODB_URI: 'mongodb://mongo:27017/broker',
      REDIS_URL: 'redis://redis:6379/0',
      NODE_ENV: 'production',
      BROKER_CONFIG: join(import.meta.dirname, '../../config/example.production.json'),
      ISSUER: 'https://id.example.com',
      JWKS_FILE: '/run/secrets/jwks.json',
      COOKIE_KEYS: 'c'.repeat(40),
      SECRET_KEYS: 's'.repeat(40),
      MSA_CLIENT_ID: 'id',
      MSA_CLIENT_SECRET: 'secret',
      CUSTOMER_PORTAL_SECRET: 'a'.repeat(40),
      PARTNER_PORTAL_SECRET: 'b'.repeat(40),
      SMTP_URL: 'smtps://mail.example.com',
      MAIL_FROM: 'Contoso sign-in <no-reply@id.contoso.com>',
      SUPPORT_EMAIL: 'help@contoso.com',
    };
    const config = loadConfig(env);
    expect(config.stores).toMatchObject({
      mongodbUri: 'mongodb://mongo:27017/broker',
      redisUrl: 'redis://redis:6379/0',
    });
    expect(config.clients.map((c) => c.client_id)).toEqual(['customer-portal', 'partner-portal']);
    expect({ from: config.mail.from, support: config.support.email }).toEqual({
      from: 'Contoso sign-in <no-reply@id.contoso.com>',
      support: 'help@contoso.com',
    });
    // The sender and the support address are the operator's own: the file names the variables it needs.
    const { MAIL_FROM: _from, SUPPORT_EMAIL: _support, ...withoutAddresses } = env;
    expect(problemsOf(() => loadConfig(withoutAddresses))).toEqual([
      'support.email: environment variable SUPPORT_EMAIL is not set',
      'mail.from: environment variable MAIL_FROM is not set',
    ]);
  });

  it('emails unknown addresses only when ASSOCIATION_UNKNOWN_ADDRESS_EMAIL turns it on, keeping the other association settings', () => {
    expect(loadConfig({}).association.unknownAddressEmail).toBe(false);
    const on = loadConfig({ ASSOCIATION_UNKNOWN_ADDRESS_EMAIL: 'true' });
    expect(on.association.unknownAddressEmail).toBe(true);
    expect(on.association.linkTtlSeconds).toBe(86400);
    expect(problemsOf(() => loadConfig({ ASSOCIATION_UNKNOWN_ADDRESS_EMAIL: 'sometimes' }))).toEqual([
      'ASSOCIATION_UNKNOWN_ADDRESS_EMAIL: expected true or false, got "sometimes"',
    ]);
  });

  it('refuses one of MONGODB_URI and REDIS_URL without the other', () => {
    expect(problemsOf(() => loadConfig({ REDIS_URL: 'redis://localhost:6379' }))).toEqual([
      'stores: MONGODB_URI and REDIS_URL go together: set both (production stores) or neither (memory)',
    ]);
  });

  it('refuses a grant lifetime shorter than the refresh-token lifetime', () => {
    expect(problemsOf(() => loadConfig({}, { ttl: { grant: 60, refreshToken: 120 } }))).toEqual([
      'ttl.grant: must be at least ttl.refreshToken',
    ]);
  });

  it('reads cookie keys from COOKIE_KEYS_FILE, one per line, newest first, and names a file it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cookie-keys-'));
    writeFileSync(join(dir, 'keys'), `${'n'.repeat(32)}\n${'o'.repeat(32)}\n\n`);
    expect(loadConfig({ COOKIE_KEYS_FILE: join(dir, 'keys') }).keys.cookieKeys).toEqual([
      'n'.repeat(32),
      'o'.repeat(32),
    ]);
    expect(problemsOf(() => loadConfig({ COOKIE_KEYS_FILE: join(dir, 'missing') }))[0]).toMatch(
      /^COOKIE_KEYS_FILE: cannot read .*missing/,
    );
    expect(
      problemsOf(() => loadConfig({ COOKIE_KEYS_FILE: join(dir, 'keys'), NODE_ENV: 'production' })),
    ).not.toContainEqual(expect.stringMatching(/^COOKIE_KEYS/));
  });

  it('reads client-secret keys from SECRET_KEYS, comma-separated, or SECRET_KEYS_FILE, one per line, newest first', () => {
    expect(loadConfig({}).keys.secretKeys).toBeUndefined();
    expect(loadConfig({ SECRET_KEYS: ` ${'n'.repeat(32)}, ${'o'.repeat(32)} ,` }).keys.secretKeys).toEqual([
      'n'.repeat(32),
      'o'.repeat(32),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'secret-keys-'));
    writeFileSync(join(dir, 'keys'), `${'n'.repeat(32)}\n${'o'.repeat(32)}\n\n`);
    expect(loadConfig({ SECRET_KEYS_FILE: join(dir, 'keys') }).keys.secretKeys).toEqual([
      'n'.repeat(32),
      'o'.repeat(32),
    ]);
    // As with COOKIE_KEYS: the variable wins over the file.
    expect(loadConfig({ SECRET_KEYS: 'v'.repeat(32), SECRET_KEYS_FILE: join(dir, 'keys') }).keys.secretKeys).toEqual([
      'v'.repeat(32),
    ]);
    expect(problemsOf(() => loadConfig({ SECRET_KEYS_FILE: join(dir, 'missing') }))[0]).toMatch(
      /^SECRET_KEYS_FILE: cannot read .*missing/,
    );
    expect(
      problemsOf(() => loadConfig({ SECRET_KEYS_FILE: join(dir, 'keys'), NODE_ENV: 'production' })),
    ).not.toContainEqual(expect.stringMatching(/^SECRET_KEYS/));
    expect(problemsOf(() => loadConfig({ SECRET_KEYS: 'v'.repeat(32), NODE_ENV: 'production' }))).not.toContainEqual(
      expect.stringMatching(/^SECRET_KEYS/),
    );
  });

  it('refuses client-secret keys shorter than 32 characters, and one that repeats a cookie key', () => {
    expect(problemsOf(() => loadConfig({ SECRET_KEYS: `${'n'.repeat(32)},short` }))).toEqual([
      'keys.secretKeys.1: secret keys need at least 32 characters',
    ]);
    expect(
      problemsOf(() => loadConfig({ SECRET_KEYS: 'k'.repeat(32), COOKIE_KEYS: `${'c'.repeat(32)},${'k'.repeat(32)}` })),
    ).toEqual([
      'keys.secretKeys: SECRET_KEYS must not repeat a cookie key: a leaked cookie key must not open the client secrets',
    ]);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { generateSigningKey } from '../../src/oidc/signing-keys.ts';
import { ConfigError } from '../../src/shared/errors.ts';
import { Browser } from '../support/browser.ts';
import { startBroker, TEST_PORTAL, type TestBroker } from '../support/broker.ts';
import { signIn } from '../support/flows.ts';
import { createPortal, type Portal } from '../support/portal.ts';

// ID tokens per portal (id_token_signed_response_alg) and JWT access tokens per resource server, in RS256 (the
// default), ES256 or EdDSA; the key set publishes a key of each.
const ES_PORTAL = {
  ...TEST_PORTAL,
  client_id: 'es-portal',
  client_secret: 'es-portal-secret-0123456789abcdef',
  id_token_signed_response_alg: 'ES256',
};
const ED_PORTAL = {
  ...TEST_PORTAL,
  client_id: 'ed-portal',
  client_secret: 'ed-portal-secret-0123456789abcdef',
  id_token_signed_response_alg: 'EdDSA',
};
const ED_API = 'https://ed-api.example';
const PLAIN_API = 'https://plain-api.example';

let broker: TestBroker;
const portals: Record<string, Portal> = {};

beforeAll(async () => {
  broker = await startBroker({
    clients: [TEST_PORTAL, ES_PORTAL, ED_PORTAL],
    resourceServers: { [ED_API]: { accessTokenSigningAlg: 'EdDSA' }, [PLAIN_API]: {} },
  });
  for (const portal of [TEST_PORTAL, ES_PORTAL, ED_PORTAL])
    portals[portal.client_id] = await createPortal(broker.issuer, portal);
});
afterAll(() => broker.close());

const publishedKeys = async () => (await (await fetch(`${broker.issuer}/jwks`)).json()) as JSONWebKeySet;

describe('signing algorithms', () => {
  it('publishes an RSA, a P-256 and an Ed25519 key, without their private parts, and advertises exactly their algorithms', async () => {
    const { keys } = await publishedKeys();
    expect(keys.map((k) => [k.kty, k.crv ?? null, k.alg])).toEqual([
      ['RSA', null, 'RS256'],
      ['EC', 'P-256', 'ES256'],
      ['OKP', 'Ed25519', 'EdDSA'],
    ]);
    expect(keys.every((k) => (k as { d?: unknown }).d === undefined)).toBe(true);
    const discovery = (await (await fetch(`${broker.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      string[]
    >;
    expect(discovery.id_token_signing_alg_values_supported).toEqual(['RS256', 'ES256', 'EdDSA']);
  });

  it.each([
    ['test-portal', 'RS256'],
    ['es-portal', 'ES256'],
    ['ed-portal', 'EdDSA'],
  ])('signs the ID tokens of %s with %s, verifiable with the published keys', async (clientId, alg) => {
    const { tokens } = await signIn(new Browser(), portals[clientId]!, 'alice');
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe(alg);
    const { payload } = await jwtVerify(tokens.id_token!, createLocalJWKSet(await publishedKeys()), {
      issuer: broker.issuer,
      audience: clientId,
    });
    expect(payload.sub).toBe('prf-alice-contoso');
  });

  it("signs a resource server's JWT access tokens with its algorithm, RS256 unless it names one", async () => {
    const portal = portals['test-portal']!;
    const ed = await signIn(new Browser(), portal, 'alice', {
      parameters: { resource: ED_API },
      tokenParameters: { resource: ED_API },
    });
    expect(decodeProtectedHeader(ed.tokens.access_token).alg).toBe('EdDSA');
    const { payload } = await jwtVerify(ed.tokens.access_token, createLocalJWKSet(await publishedKeys()), {
      audience: ED_API,
      typ: 'at+jwt',
    });
    expect(payload.profile_id).toBe('prf-alice-contoso');
    const plain = await signIn(new Browser(), portal, 'alice', {
      parameters: { resource: PLAIN_API },
      tokenParameters: { resource: PLAIN_API },
    });
    expect(decodeProtectedHeader(plain.tokens.access_token).alg).toBe('RS256');
    // The demo API names ES256.
    const demoApi = `${broker.issuer}/demo/api`;
    const es = await signIn(new Browser(), portal, 'alice', {
      parameters: { resource: demoApi },
      tokenParameters: { resource: demoApi },
    });
    expect(decodeProtectedHeader(es.tokens.access_token).alg).toBe('ES256');
  });
});

describe('a key set without the algorithm asked for', () => {
  const keyFile = async (algs: ('RS256' | 'ES256' | 'EdDSA')[]) => {
    const file = join(mkdtempSync(join(tmpdir(), 'algs-')), 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys: await Promise.all(algs.map((alg) => generateSigningKey(alg))) }));
    return file;
  };
  const problemsOf = (err: unknown) => (err instanceof ConfigError ? err.problems.join('\n') : String(err));

  it('refuses to start when a resource server names an algorithm the key set has no key for, saying how to add one', async () => {
    const jwksFile = await keyFile(['RS256']);
    const refused = await startBroker({
      keys: { jwksFile },
      demo: { enabled: false },
      resourceServers: { [ED_API]: { accessTokenSigningAlg: 'EdDSA' } },
    }).then(
      (started) => started.close().then(() => 'started'),
      (err: unknown) => problemsOf(err),
    );
    expect(refused).toContain('accessTokenSigningAlg is EdDSA, but the key set (JWKS_FILE) holds no such key');
    expect(refused).toContain('npm run keys -- rotate signing --alg EdDSA');
  });

  it('refuses a key set with no RS256 key, and refuses a portal asking for an algorithm it has no key for', async () => {
    const withoutRsa = await startBroker({ keys: { jwksFile: await keyFile(['ES256']) } }).then(
      (started) => started.close().then(() => 'started'),
      (err: unknown) => problemsOf(err),
    );
    expect(withoutRsa).toContain('holds no RS256 key');

    const rsaOnly = await startBroker({ keys: { jwksFile: await keyFile(['RS256']) }, demo: { enabled: false } });
    try {
      const discovery = (await (await fetch(`${rsaOnly.issuer}/.well-known/openid-configuration`)).json()) as Record<
        string,
        string[]
      >;
      expect(discovery.id_token_signing_alg_values_supported).toEqual(['RS256']);
      await expect(
        rsaOnly.services.provider.Client.validate({ ...ED_PORTAL, client_id: 'ed-on-rsa' } as never),
      ).rejects.toMatchObject({ error_description: expect.stringContaining('id_token_signed_response_alg') });
    } finally {
      await rsaOnly.close();
    }
  });
});

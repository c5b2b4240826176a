import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import mongoose, { type Connection } from 'mongoose';
import { secretKeyId } from '../../src/clients/secret-encryption.ts';
import { ADMIN_API_PREFIX } from '../../src/http/routes/admin-api.ts';
import { Browser } from '../support/browser.ts';
import { basicAuth, isolatedStores, startBroker, TEST_PORTAL, type TestBroker } from '../support/broker.ts';
import { signIn } from '../support/flows.ts';
import { startMongo } from '../support/mongo.ts';
import { createPortal } from '../support/portal.ts';
import { startRedis } from '../support/redis.ts';

// Client secrets on the production stores (docs/decisions/0008): what MongoDB holds is ciphertext only, while
// portals authenticate at /token as before. Its own Redis and MongoDB, so the raw documents can be read.
const ROOT = { id: 'root-admin', secret: 'root-admin-secret-0123456789abcdefghij' };
const SECRET_KEY = 'at-rest-test-secret-key-0123456789abcdefgh';
const NEWER_KEY = 'at-rest-test-newer-key-0123456789abcdefghi';
const PORTAL_INPUT = {
  client_name: 'Reseller portal',
  redirect_uris: ['https://resellers.example/cb'],
  profile_kinds: ['customer', 'partner'],
};

let redis: Awaited<ReturnType<typeof startRedis>>;
let mongo: Awaited<ReturnType<typeof startMongo>>;
let stores: ReturnType<typeof isolatedStores>;
let raw: Connection;
let broker: TestBroker;

beforeAll(async () => {
  [redis, mongo] = await Promise.all([startRedis(), startMongo()]);
  stores = isolatedStores(redis.url, mongo.uri);
  broker = await startBroker({
    stores,
    admin: { clientId: ROOT.id, clientSecret: ROOT.secret },
    keys: { secretKeys: [SECRET_KEY] },
  });
  raw = mongoose.createConnection(stores.mongodbUri);
  await raw.asPromise();
}, 60_000);
afterAll(async () => {
  await raw?.close();
  await broker?.close();
  await Promise.all([redis?.stop(), mongo?.stop()]);
});

/** The client's document as MongoDB holds it, read past the broker. */
async function rawClient(clientId: string) {
  const doc = await raw
    .db!.collection<{ _id: string; metadata: Record<string, unknown> }>('clients')
    .findOne({ _id: clientId });
  if (!doc) throw new Error(`no document for client ${clientId}`);
  return doc;
}

/**
 * How /token answers a client authenticating with `secret` (client_secret_basic) and a made-up code:
 * `invalid_grant` once the secret was accepted, `invalid_client` when it was refused.
 */
async function tokenAnswer(
  on: TestBroker,
  clientId: string,
  secret: string,
  redirectUri = PORTAL_INPUT.redirect_uris[0]!,
) {
  const response = await fetch(`${on.issuer}/token`, {
    method: 'POST',
    headers: { authorization: basicAuth(clientId, secret) },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: 'made-up-code',
      redirect_uri: redirectUri,
      code_verifier: 'v'.repeat(43),
    }),
  });
  return { status: response.status, error: ((await response.json()) as { error?: string }).error };
}

async function adminToken(): Promise<string> {
  const response = await fetch(`${broker.issuer}/token`, {
    method: 'POST',
    headers: { authorization: basicAuth(ROOT.id, ROOT.secret) },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'admin:clients' }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${broker.issuer}${ADMIN_API_PREFIX}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await adminToken()}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON from the API under test, checked field by field
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('client secrets at rest in MongoDB', () => {
  it("holds a configured portal's secret (and the bootstrap admin client's) only encrypted; the store and /token use the plaintext", async () => {
    for (const [id, secret] of [
      [TEST_PORTAL.client_id, TEST_PORTAL.client_secret],
      [ROOT.id, ROOT.secret],
    ] as const) {
      const doc = await rawClient(id);
      expect(doc.metadata.client_secret).toMatch(new RegExp(`^enc:v1:${secretKeyId(SECRET_KEY)}:`));
      expect(JSON.stringify(doc)).not.toContain(secret);
      expect((await broker.services.clients.find(id))!.metadata.client_secret).toBe(secret);
    }
    const { claims } = await signIn(new Browser(), await createPortal(broker.issuer), 'alice');
    expect(claims.sub).toBe('prf-alice-contoso');
    expect(await tokenAnswer(broker, TEST_PORTAL.client_id, 'not-the-secret', TEST_PORTAL.redirect_uris[0])).toEqual({
      status: 401,
      error: 'invalid_client',
    });
  });

  it('rotating a secret through the admin API stores only the new ciphertext: the new secret works at /token, the old one fails', async () => {
    const created = await api('POST', '/clients', PORTAL_INPUT);
    expect(created.status).toBe(201);
    const id = created.body.client.client_id as string;
    const first = created.body.client_secret as string;
    const before = await rawClient(id);
    expect(JSON.stringify(before)).not.toContain(first);
    expect(await tokenAnswer(broker, id, first)).toEqual({ status: 400, error: 'invalid_grant' });

    const rotated = await api('POST', `/clients/${id}/secret`);
    expect(rotated.status).toBe(200);
    const second = rotated.body.client_secret as string;
    const after = await rawClient(id);
    expect(after.metadata.client_secret).toMatch(/^enc:v1:/);
    expect(after.metadata.client_secret).not.toBe(before.metadata.client_secret);
    expect(JSON.stringify(after)).not.toContain(first);
    expect(JSON.stringify(after)).not.toContain(second);

    expect(await tokenAnswer(broker, id, first)).toEqual({ status: 401, error: 'invalid_client' });
    expect(await tokenAnswer(broker, id, second)).toEqual({ status: 400, error: 'invalid_grant' });
    const portal = await createPortal(broker.issuer, {
      client_id: id,
      client_secret: second,
      redirect_uris: PORTAL_INPUT.redirect_uris,
    });
    expect((await signIn(new Browser(), portal, 'alice')).claims.sub).toBe('prf-alice-contoso');
  });

  it('keeps serving a secret stored in plaintext before encryption, and encrypts it at the next write', async () => {
    const id = (await api('POST', '/clients', PORTAL_INPUT)).body.client.client_id as string;
    const legacy = 'legacy-plaintext-secret-0123456789abcdef';
    await raw
      .db!.collection<{ _id: string }>('clients')
      .updateOne({ _id: id }, { $set: { 'metadata.client_secret': legacy } });
    expect(await tokenAnswer(broker, id, legacy)).toEqual({ status: 400, error: 'invalid_grant' });

    expect((await api('POST', `/clients/${id}/disable`, { reason: 'a write' })).status).toBe(200);
    expect((await api('POST', `/clients/${id}/enable`, {})).status).toBe(200);
    const doc = await rawClient(id);
    expect(doc.metadata.client_secret).toMatch(/^enc:v1:/);
    expect(JSON.stringify(doc)).not.toContain(legacy);
    expect(await tokenAnswer(broker, id, legacy)).toEqual({ status: 400, error: 'invalid_grant' });
  });

  it('after a key rotation reads every secret, and without the key a secret was written with, refuses that client and logs which setting to fix', async () => {
    const id = (await api('POST', '/clients', PORTAL_INPUT)).body.client.client_id as string;
    const secret = (await api('POST', `/clients/${id}/secret`)).body.client_secret as string;

    // A new key put first: old values read; configured clients are written again at the start, with the new key.
    const rotated = await startBroker({
      stores,
      admin: { clientId: ROOT.id, clientSecret: ROOT.secret },
      keys: { secretKeys: [NEWER_KEY, SECRET_KEY] },
    });
    try {
      expect(await tokenAnswer(rotated, id, secret)).toEqual({ status: 400, error: 'invalid_grant' });
      expect((await rawClient(TEST_PORTAL.client_id)).metadata.client_secret).toMatch(
        new RegExp(`^enc:v1:${secretKeyId(NEWER_KEY)}:`),
      );
      expect((await rawClient(id)).metadata.client_secret).toMatch(new RegExp(`^enc:v1:${secretKeyId(SECRET_KEY)}:`));
    } finally {
      await rotated.close();
    }

    // The old key dropped too early: that client is refused with a server error, and the start says what to fix
    // (the configured-client registration reads every client, and retries until the key is back).
    const missingKey = await startBroker({
      stores,
      admin: { clientId: ROOT.id, clientSecret: ROOT.secret },
      keys: { secretKeys: [NEWER_KEY] },
    });
    try {
      expect(await tokenAnswer(missingKey, id, secret)).toEqual({ status: 500, error: 'server_error' });
      const warning = missingKey.logs.find((l) => l.event === 'clients.registration_deferred');
      expect(warning?.message).toMatch(
        new RegExp(
          `client c-\\S+ was encrypted with key ${secretKeyId(SECRET_KEY)}, which SECRET_KEYS \\(or SECRET_KEYS_FILE\\) does not hold`,
        ),
      );
      expect(JSON.stringify(missingKey.logs)).not.toContain(secret);
    } finally {
      await missingKey.close();
    }
  }, 60_000);
});

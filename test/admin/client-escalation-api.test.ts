import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startBroker, TEST_PORTAL, type TestBroker } from '../support/broker.ts';
import { adminApi, type AdminCredentials } from '../support/admin-api.ts';

const ROOT = { id: 'root-admin', secret: 'root-admin-secret-0123456789abcdefghij' };
const EVERY_SCOPE = 'admin:clients admin:directory admin:support admin:audit';
// Both nodes decrypt the client secrets the other wrote.
const SECRET_KEYS = ['escalation-test-secret-key-0123456789abcdef'];
let broker: TestBroker;
/**
 * A second node on the same stores, where the stores can be shared (the "production stores" project); with memory
 * stores there is one node, and it stands in for both.
 */
let other: TestBroker;

beforeAll(async () => {
  broker = await startBroker({
    admin: { clientId: ROOT.id, clientSecret: ROOT.secret },
    keys: { secretKeys: SECRET_KEYS },
  });
  const shared = broker.services.config.stores;
  other = shared.mongodbUri
    ? await startBroker({
        admin: { clientId: ROOT.id, clientSecret: ROOT.secret },
        keys: { secretKeys: SECRET_KEYS },
        stores: shared,
      })
    : broker;
});
afterAll(async () => {
  if (other !== broker) await other.close();
  await broker.close();
});

const token = (scope: string, as: AdminCredentials = ROOT) => adminApi(broker.issuer, ROOT).token(scope, as);
const api = (method: string, path: string, bearer: string, body?: unknown) =>
  adminApi(broker.issuer, ROOT).call(method, path, bearer, body);
const onOther = (method: string, path: string, bearer: string, body?: unknown) =>
  adminApi(other.issuer, ROOT).call(method, path, bearer, body);

/** Registers an admin client (client credentials only) as the root administrator; returns its credentials. */
async function adminClient(id: string, scope: string): Promise<AdminCredentials> {
  const made = await api('POST', '/clients', await token(EVERY_SCOPE), {
    client_id: id,
    grant_types: ['client_credentials'],
    scope,
  });
  expect(made.status).toBe(201);
  return { id, secret: made.body!.client_secret as string };
}

describe('no escalation through the admin API', () => {
  it('lets a caller grant only admin scopes it holds: a client with admin:clients alone cannot register one with more', async () => {
    const helper = await adminClient('clients-only', 'admin:clients');
    const helperToken = await token('admin:clients', helper);
    const before = (await broker.services.clients.list()).length;

    const everything = await api('POST', '/clients', helperToken, {
      client_id: 'minted',
      grant_types: ['client_credentials'],
      scope: 'admin:clients admin:directory admin:support admin:audit',
    });
    expect(everything.status).toBe(403);
    expect(everything.body).toMatchObject({ error: 'scope_not_held' });
    expect(everything.body!.message).toContain('admin:directory admin:support admin:audit');
    expect((await broker.services.clients.list()).length).toBe(before);
    expect(await broker.services.clients.find('minted')).toBeUndefined();

    // What it holds, it may grant; and it may not add more to that client afterwards.
    expect(
      (
        await api('POST', '/clients', helperToken, {
          client_id: 'peer',
          grant_types: ['client_credentials'],
          scope: 'admin:clients',
        })
      ).status,
    ).toBe(201);
    const raised = await api('PUT', '/clients/peer', helperToken, {
      grant_types: ['client_credentials'],
      scope: 'admin:clients admin:audit',
    });
    expect(raised).toMatchObject({ status: 403, body: { error: 'scope_not_held' } });
    expect((await broker.services.clients.find('peer'))!.metadata.scope).toBe('admin:clients');

    // The token's scopes count, not the registration's: the root administrator asking for admin:clients only holds that.
    const narrowRoot = await api('POST', '/clients', await token('admin:clients'), {
      client_id: 'minted',
      grant_types: ['client_credentials'],
      scope: 'admin:audit',
    });
    expect(narrowRoot).toMatchObject({ status: 403, body: { error: 'scope_not_held' } });
  });

  it('refuses to rotate, disable, enable, replace or delete a client that holds a scope the caller lacks, changing nothing', async () => {
    const strong = await adminClient('directory-admin', 'admin:clients admin:directory');
    const helperToken = await token('admin:clients', await adminClient('clients-only-2', 'admin:clients'));
    const strongToken = await token('admin:clients admin:directory', strong);
    const stored = await broker.services.clients.find('directory-admin');

    for (const [method, path, body] of [
      ['POST', '/clients/directory-admin/secret'],
      ['POST', '/clients/directory-admin/disable', { reason: 'takeover' }],
      ['POST', '/clients/directory-admin/enable', {}],
      ['PUT', '/clients/directory-admin', { grant_types: ['client_credentials'], scope: 'admin:clients' }],
      ['DELETE', '/clients/directory-admin'],
    ] as const) {
      const result = await api(method, path, helperToken, body);
      expect({ method, path, status: result.status, error: result.body?.error }).toEqual({
        method,
        path,
        status: 403,
        error: 'scope_not_held',
      });
    }
    expect((await api('POST', '/clients/directory-admin/secret', helperToken)).body!.message).toContain(
      'holds admin:directory',
    );
    expect(await broker.services.clients.find('directory-admin')).toEqual(stored);
    // The client it tried to take over still works with its own secret and token.
    expect((await api('GET', '/directory/organisations', strongToken)).status).toBe(200);
    expect((await api('GET', '/directory/organisations', await token('admin:directory', strong))).status).toBe(200);

    // A caller holding every scope the client has may: the rule bounds, it does not forbid.
    expect(
      (await api('POST', '/clients/directory-admin/disable', strongToken, { reason: 'rotation drill' })).body,
    ).toMatchObject({ status: 'disabled' });
  });

  it('never lets the bootstrap admin client from configuration be disabled, deleted or rotated, not even by itself', async () => {
    const rootToken = await token(EVERY_SCOPE);
    for (const [method, path, body] of [
      ['POST', `/clients/${ROOT.id}/disable`, { reason: 'oops' }],
      ['DELETE', `/clients/${ROOT.id}`],
      ['POST', `/clients/${ROOT.id}/secret`],
    ] as const) {
      const result = await api(method, path, rootToken, body);
      expect({ method, path, status: result.status, error: result.body?.error }).toEqual({
        method,
        path,
        status: 409,
        error: 'managed_by_configuration',
      });
    }
    expect((await api('POST', `/clients/${ROOT.id}/disable`, rootToken, {})).body!.message).toContain(
      'cannot be disabled, deleted or given a new secret',
    );
    expect(await broker.services.clients.find(ROOT.id)).toMatchObject({
      status: 'active',
      metadata: { client_secret: ROOT.secret },
    });
    expect((await api('GET', '/clients', rootToken)).status).toBe(200);
    // A configured portal can still be disabled in an emergency.
    expect((await api('POST', `/clients/${TEST_PORTAL.client_id}/disable`, rootToken, {})).body).toMatchObject({
      status: 'disabled',
    });
    expect((await api('POST', `/clients/${TEST_PORTAL.client_id}/enable`, rootToken, {})).body).toMatchObject({
      status: 'active',
    });
  });
});

describe("an admin token follows its client's current registration, on every node", () => {
  it("stops at once when its client's secret is rotated; the new secret's tokens work", async () => {
    const helper = await adminClient('rotated-admin', 'admin:audit');
    const old = await token('admin:audit', helper);
    expect((await onOther('GET', '/audit/events', old)).status).toBe(200);
    const rotated = await api('POST', '/clients/rotated-admin/secret', await token(EVERY_SCOPE));
    expect(rotated.status).toBe(200);
    expect((await api('GET', '/audit/events', old)).body).toMatchObject({ error: 'admin_token_invalid' });
    expect((await onOther('GET', '/audit/events', old)).status).toBe(401);
    const fresh = await token('admin:audit', { id: helper.id, secret: rotated.body!.client_secret as string });
    expect((await onOther('GET', '/audit/events', fresh)).status).toBe(200);
  });

  it('stops when its client is disabled, and stays stopped after the client is enabled again', async () => {
    const helper = await adminClient('paused-admin', 'admin:audit');
    const old = await token('admin:audit', helper);
    const rootToken = await token(EVERY_SCOPE);
    expect((await api('POST', '/clients/paused-admin/disable', rootToken, { reason: 'leave' })).status).toBe(200);
    expect((await onOther('GET', '/audit/events', old)).status).toBe(401);
    expect((await api('POST', '/clients/paused-admin/enable', rootToken, {})).status).toBe(200);
    expect((await onOther('GET', '/audit/events', old)).body).toMatchObject({ error: 'admin_token_invalid' });
    expect((await onOther('GET', '/audit/events', await token('admin:audit', helper))).status).toBe(200);
  });

  it('does not carry over to a client deleted and registered again under the same id with fewer scopes', async () => {
    const helper = await adminClient('reborn-admin', 'admin:clients admin:audit');
    const old = await token('admin:clients admin:audit', helper);
    const rootToken = await token(EVERY_SCOPE);
    expect((await api('DELETE', '/clients/reborn-admin', rootToken)).status).toBe(204);
    const again = await adminClient('reborn-admin', 'admin:audit');
    for (const path of ['/clients', '/audit/events']) {
      expect((await onOther('GET', path, old)).body).toMatchObject({ error: 'admin_token_invalid' });
    }
    const fresh = await token('admin:audit', again);
    expect((await onOther('GET', '/audit/events', fresh)).status).toBe(200);
    expect((await onOther('GET', '/clients', fresh)).status).toBe(403);
    await expect(token('admin:clients', again)).rejects.toThrow(/invalid_scope/);
  });

  it("loses a scope as soon as its client's registration drops it, keeping the others", async () => {
    const helper = await adminClient('narrowed-admin', 'admin:clients admin:audit');
    const both = await token('admin:clients admin:audit', helper);
    expect((await onOther('GET', '/clients', both)).status).toBe(200);
    const narrowed = await api('PUT', '/clients/narrowed-admin', await token(EVERY_SCOPE), {
      grant_types: ['client_credentials'],
      scope: 'admin:audit',
    });
    expect(narrowed.status).toBe(200);
    expect(await onOther('GET', '/clients', both)).toMatchObject({
      status: 403,
      body: { error: 'insufficient_scope' },
    });
    expect(
      (
        await api('POST', '/clients', both, {
          client_id: 'late',
          grant_types: ['client_credentials'],
          scope: 'admin:audit',
        })
      ).status,
    ).toBe(403);
    expect((await onOther('GET', '/audit/events', both)).status).toBe(200);
  });
});

describe('invitations', () => {
  it('cannot name an admin client as the portal to return to: 400 client_not_a_portal, no link issued', async () => {
    await adminClient('support-bot', 'admin:support');
    const supportToken = await token('admin:support');
    const refused = await api('POST', '/support/profiles/prf-erin-contoso/invitations', supportToken, {
      client_id: 'support-bot',
    });
    expect(refused).toMatchObject({ status: 400, body: { error: 'client_not_a_portal' } });
    expect(refused.body!.message).toContain('support-bot is an admin client');
    expect(
      (await api('POST', '/support/profiles/prf-erin-contoso/invitations', supportToken, { client_id: ROOT.id })).body,
    ).toMatchObject({ error: 'client_not_a_portal' });
    expect((await api('GET', '/support/profiles/prf-erin-contoso/links', supportToken)).body!.links).toEqual([]);
    // A portal is still fine.
    expect(
      (
        await api('POST', '/support/profiles/prf-erin-contoso/invitations', supportToken, {
          client_id: TEST_PORTAL.client_id,
        })
      ).status,
    ).toBe(201);
  });
});

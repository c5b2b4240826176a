import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Validator } from '@seriousme/openapi-schema-validator';
import { ADMIN_API_PREFIX, adminApiRoutes, OPENAPI_FILE } from '../../src/http/routes/admin-api.ts';
import { Browser } from '../support/browser.ts';
import { startBroker, TEST_PORTAL, type TestBroker } from '../support/broker.ts';
import { adminApi } from '../support/admin-api.ts';
import { authorize, signIn } from '../support/flows.ts';
import { createPortal } from '../support/portal.ts';

const ROOT = { id: 'root-admin', secret: 'root-admin-secret-0123456789abcdefghij' };
let broker: TestBroker;

beforeAll(async () => {
  broker = await startBroker({ admin: { clientId: ROOT.id, clientSecret: ROOT.secret } });
});
afterAll(() => broker.close());

const adminToken = (scope: string, as = ROOT) => adminApi(broker.issuer, ROOT).token(scope, as);
const api = (
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
) => adminApi(broker.issuer, ROOT).call(method, path, token, body, headers);

const PORTAL_INPUT = {
  client_name: 'Reseller portal',
  redirect_uris: ['https://resellers.example/cb'],
  post_logout_redirect_uris: ['https://resellers.example/'],
  grant_types: ['authorization_code', 'refresh_token'],
  profile_kinds: ['partner', 'customer'],
  contract_required: true,
  initiate_login_uri: 'https://resellers.example/login',
};

describe('the admin API document', () => {
  it('is a valid OpenAPI document, served by the broker as checked in', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const served = await api('GET', '/openapi.json', undefined);
    expect(served.status).toBe(200);
    expect(served.body).toEqual(JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')));
  });

  it('describes every route the API serves, and nothing it does not', () => {
    const router = adminApiRoutes({
      ...broker.services,
      profileKinds: broker.services.config.directory.profileKinds,
    });
    const normalise = (path: string) =>
      path
        .replace(/:[A-Za-z]+/g, '{}')
        .replace(/\{[A-Za-z]+\}/g, '{}')
        .replace(/\/$/, '');
    const served = new Set(
      router.stack.flatMap((layer) =>
        layer.methods
          .filter((m) => m !== 'HEAD')
          .map((m) => `${m} ${normalise(String(layer.path).slice(ADMIN_API_PREFIX.length))}`),
      ),
    );
    const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${normalise(path)}`),
      ),
    );
    expect([...served].sort()).toEqual([...documented].sort());
  });
});

describe('admin API authentication', () => {
  it("refuses no token, an unknown token, and a person's access token even when it asked for an admin scope", async () => {
    const none = await api('GET', '/clients', undefined);
    expect(none).toMatchObject({ status: 401, body: { error: 'admin_token_missing' } });
    expect(none.body!.message).toContain('client_credentials');
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await api('GET', '/clients', 'x'.repeat(43))).body).toMatchObject({ error: 'admin_token_invalid' });

    const portal = await createPortal(broker.issuer);
    const asked = await authorize(new Browser(), portal, { scope: 'openid admin:clients' });
    expect(new URL(asked.page.stopped!).searchParams.get('error')).toBe('invalid_scope');
    const { tokens } = await signIn(new Browser(), portal, 'alice');
    expect((await api('GET', '/clients', tokens.access_token)).status).toBe(401);
  });

  it('keeps each area behind its scope: 403 insufficient_scope, naming the scope', async () => {
    const auditOnly = await adminToken('admin:audit');
    for (const [method, path, body] of [
      ['GET', '/clients'],
      ['POST', '/clients', PORTAL_INPUT],
      ['GET', `/clients/${TEST_PORTAL.client_id}`],
      ['PUT', `/clients/${TEST_PORTAL.client_id}`, PORTAL_INPUT],
      ['DELETE', `/clients/${TEST_PORTAL.client_id}`],
      ['POST', `/clients/${TEST_PORTAL.client_id}/disable`, {}],
      ['POST', `/clients/${TEST_PORTAL.client_id}/enable`, {}],
      ['POST', `/clients/${TEST_PORTAL.client_id}/secret`],
    ] as const) {
      const result = await api(method, path, auditOnly, body);
      expect({ method, path, status: result.status, error: result.body?.error }).toEqual({
        method,
        path,
        status: 403,
        error: 'insufficient_scope',
      });
    }
    expect((await api('GET', `/clients/${TEST_PORTAL.client_id}`, auditOnly)).body!.message).toContain('admin:clients');
    expect((await broker.services.clients.find(TEST_PORTAL.client_id))!.status).toBe('active');
  });

  it('stops a token of a disabled admin client at once', async () => {
    const token = await adminToken('admin:clients admin:audit');
    const created = await api('POST', '/clients', undefined, {
      client_id: 'helper-admin',
      grant_types: ['client_credentials'],
      scope: 'admin:clients',
    });
    expect(created.status).toBe(401);
    const made = await api('POST', '/clients', token, {
      client_id: 'helper-admin',
      grant_types: ['client_credentials'],
      scope: 'admin:clients admin:audit',
    });
    expect(made.status).toBe(201);
    const helper = { id: 'helper-admin', secret: made.body!.client_secret as string };
    const helperToken = await adminToken('admin:clients', helper);
    expect((await api('GET', '/clients', helperToken)).status).toBe(200);
    await expect(adminToken('admin:directory', helper)).rejects.toThrow(/invalid_scope/);
    expect((await api('POST', '/clients/helper-admin/disable', token, { reason: 'left the team' })).body).toMatchObject(
      { status: 'disabled' },
    );
    expect((await api('GET', '/clients', helperToken)).body).toMatchObject({ error: 'admin_token_invalid' });
  });
});

describe('clients', () => {
  it('registers a portal: the secret is shown once, the portal signs people in, and the audit log says who did it', async () => {
    const token = await adminToken('admin:clients');
    const created = await api('POST', '/clients', token, PORTAL_INPUT);
    expect(created.status).toBe(201);
    const { client, client_secret: secret } = created.body as { client: { client_id: string }; client_secret: string };
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(client).toMatchObject({
      status: 'active',
      source: 'admin',
      has_secret: true,
      metadata: { client_name: 'Reseller portal', profile_kinds: ['partner', 'customer'], contract_required: true },
    });
    expect(JSON.stringify(client)).not.toContain(secret);
    const shown = await api('GET', `/clients/${client.client_id}`, token);
    expect(JSON.stringify(shown.body)).not.toContain(secret);
    expect(
      (await api('GET', '/clients', token)).body!.clients.map((c: { client_id: string }) => c.client_id),
    ).toContain(client.client_id);

    const portal = await createPortal(broker.issuer, {
      client_id: client.client_id,
      client_secret: secret,
      redirect_uris: PORTAL_INPUT.redirect_uris,
    });
    expect((await signIn(new Browser(), portal, 'alice')).claims).toMatchObject({ sub: 'prf-alice-contoso' });

    // Administration only: the sign-ins it let through are recorded too, and not what this checks.
    const events = (await broker.services.audit.query({ clientId: client.client_id, limit: 10 })).filter(
      (e) => !e.action.startsWith('sign_in.'),
    );
    expect(events).toEqual([
      expect.objectContaining({
        action: 'client.created',
        outcome: 'success',
        actor: `admin:${ROOT.id}`,
        ip: '127.0.0.1',
      }),
    ]);
    expect(JSON.stringify(events)).not.toContain(secret);
  });

  it.each([
    [
      'a javascript: redirect URI',
      { redirect_uris: ['javascript:alert(1)'] },
      'invalid_client_metadata',
      'javascript:alert(1): must use https',
    ],
    [
      'a data: redirect URI',
      { redirect_uris: ['data:text/html,<script>alert(1)</script>'] },
      'invalid_client_metadata',
      'must use https',
    ],
    [
      'a plain-http redirect URI off loopback',
      { redirect_uris: ['http://portal.example/cb'] },
      'invalid_client_metadata',
      'http://portal.example/cb: must use https',
    ],
    [
      'a wildcard redirect URI',
      { redirect_uris: ['https://*.portal.example/cb'] },
      'invalid_client_metadata',
      'wildcards are not allowed',
    ],
    [
      'a javascript: post-logout URI',
      { post_logout_redirect_uris: ['javascript:alert(1)'] },
      'invalid_client_metadata',
      'javascript:alert(1): must use https',
    ],
    [
      'a data: post-logout URI',
      { post_logout_redirect_uris: ['data:text/html,x'] },
      'invalid_client_metadata',
      'must use https',
    ],
    [
      'a redirect URI with a fragment',
      { redirect_uris: ['https://portal.example/cb#x'] },
      'invalid_redirect_uri',
      'fragment',
    ],
    ['an unknown profile kind', { profile_kinds: ['vendor'] }, 'invalid_client_metadata', 'profile_kinds'],
    ['a javascript: logo', { logo_uri: 'javascript:alert(1)' }, 'invalid_client_metadata', 'logo_uri'],
    ['a data: logo', { logo_uri: 'data:image/svg+xml,<svg onload=alert(1)>' }, 'invalid_client_metadata', 'logo_uri'],
    [
      'a plain-http privacy policy off loopback',
      { policy_uri: 'http://portal.example/privacy' },
      'invalid_client_metadata',
      'policy_uri',
    ],
    ['a javascript: terms link', { tos_uri: 'javascript:alert(1)' }, 'invalid_client_metadata', 'tos_uri'],
    ['a brand colour that is CSS', { brand_color: 'red;}body{display:none' }, 'invalid_input', 'brand_color'],
    ['a brand colour that is markup', { brand_color: '</style><script>' }, 'invalid_input', 'brand_color'],
    [
      'admin scopes on a portal signing people in',
      { scope: 'openid admin:clients' },
      'invalid_client_metadata',
      'admin scopes',
    ],
  ])('refuses %s with 400 and a message naming it, and stores nothing', async (_name, change, code, message) => {
    const token = await adminToken('admin:clients');
    const before = (await broker.services.clients.list()).length;
    const result = await api('POST', '/clients', token, { ...PORTAL_INPUT, ...change });
    expect(result.status).toBe(400);
    expect(result.body!.error).toBe(code);
    expect(result.body!.message).toContain(message);
    expect(result.body!.reference).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/);
    expect((await broker.services.clients.list()).length).toBe(before);
  });

  it('refuses unknown fields, wrong types, missing JSON, malformed JSON and oversized bodies, each with a clear code', async () => {
    const token = await adminToken('admin:clients');
    const unknown = await api('POST', '/clients', token, { ...PORTAL_INPUT, is_admin: true });
    expect(unknown).toMatchObject({ status: 400, body: { error: 'invalid_input' } });
    expect(unknown.body!.message).toContain('is_admin (unknown)');
    const wrongType = await api('POST', '/clients', token, {
      ...PORTAL_INPUT,
      contract_required: 'yes',
      redirect_uris: 'https://x.example/cb',
    });
    expect(wrongType.body!.message).toMatch(/contract_required.*redirect_uris|redirect_uris.*contract_required/);
    expect(
      (await api('POST', '/clients', token, 'client_name=x', { 'content-type': 'application/x-www-form-urlencoded' }))
        .body,
    ).toMatchObject({ error: 'unsupported_media_type' });
    expect((await api('POST', '/clients', token, '{"client_name": ')).status).toBe(400);
    const huge = await api('POST', '/clients', token, { ...PORTAL_INPUT, client_name: 'x'.repeat(70_000) });
    expect(huge).toMatchObject({ status: 413, body: { error: 'too_large' } });
    expect(await api('GET', '/clients/nobody', token)).toMatchObject({
      status: 404,
      body: { error: 'client_not_found' },
    });
  });

  it("updates a portal's policy, disables and enables it on the spot, rotates its secret, and deletes it", async () => {
    const token = await adminToken('admin:clients');
    const { client, client_secret: firstSecret } = (
      await api('POST', '/clients', token, { ...PORTAL_INPUT, client_id: 'partners-only' })
    ).body as { client: { client_id: string }; client_secret: string };
    const id = client.client_id;

    const updated = await api('PUT', `/clients/${id}`, token, {
      ...PORTAL_INPUT,
      client_name: 'Partners only',
      profile_kinds: ['partner'],
    });
    expect(updated.body).toMatchObject({
      metadata: { client_name: 'Partners only', profile_kinds: ['partner'] },
      has_secret: true,
    });
    let portal = await createPortal(broker.issuer, {
      client_id: id,
      client_secret: firstSecret,
      redirect_uris: PORTAL_INPUT.redirect_uris,
    });
    // Alice's only profile is a customer's: the portal no longer admits her.
    const refused = await authorize(new Browser(), portal);
    expect(refused.page.stopped).toBeUndefined();

    expect((await api('POST', `/clients/${id}/disable`, token, { reason: 'contract review' })).body).toMatchObject({
      status: 'disabled',
    });
    const disabled = await authorize(new Browser(), portal);
    expect(disabled.page.status).toBe(400);
    expect((await api('POST', `/clients/${id}/enable`, token, {})).body).toMatchObject({ status: 'active' });
    expect((await signIn(new Browser(), portal, 'bob')).claims.sub).toBe('prf-bob-fabrikam');

    const rotated = await api('POST', `/clients/${id}/secret`, token);
    const newSecret = rotated.body!.client_secret as string;
    expect(newSecret).not.toBe(firstSecret);
    // The old secret stops at once: the token request is answered 401 invalid_client.
    const oldSecret = await signIn(new Browser(), portal, 'bob').then(
      () => undefined,
      (err: { status?: number; cause?: { parameters?: { error?: string } }[] }) => ({
        status: err.status,
        error: err.cause?.[0]?.parameters?.error,
      }),
    );
    expect(oldSecret).toEqual({ status: 401, error: 'invalid_client' });
    portal = await createPortal(broker.issuer, {
      client_id: id,
      client_secret: newSecret,
      redirect_uris: PORTAL_INPUT.redirect_uris,
    });
    expect((await signIn(new Browser(), portal, 'bob')).claims.sub).toBe('prf-bob-fabrikam');

    expect((await api('DELETE', `/clients/${id}`, token)).status).toBe(204);
    expect((await api('GET', `/clients/${id}`, token)).status).toBe(404);
    expect((await authorize(new Browser(), portal)).page.status).toBe(400);

    const actions = (await broker.services.audit.query({ clientId: id, limit: 20 }))
      .map((e) => e.action)
      .filter((action) => !action.startsWith('sign_in.'))
      .reverse();
    expect(actions).toEqual([
      'client.created',
      'client.updated',
      'client.disabled',
      'client.enabled',
      'client.secret_rotated',
      'client.deleted',
    ]);
    const disabledEvent = (
      await broker.services.audit.query({ clientId: id, action: 'client.disabled', limit: 1 })
    )[0]!;
    expect(disabledEvent.details).toEqual({ reason: 'contract review' });
    expect(
      (await broker.services.audit.query({ clientId: id, action: 'client.updated', limit: 1 }))[0]!.details,
    ).toEqual({ fields: 'client_name profile_kinds' });
  });

  it('refuses to change or delete a client defined in configuration, but lets it be disabled', async () => {
    const token = await adminToken('admin:clients');
    const put = await api('PUT', `/clients/${TEST_PORTAL.client_id}`, token, PORTAL_INPUT);
    expect(put).toMatchObject({ status: 409, body: { error: 'managed_by_configuration' } });
    expect(put.body!.message).toContain('change it there');
    expect((await api('DELETE', `/clients/${TEST_PORTAL.client_id}`, token)).status).toBe(409);
    expect((await api('POST', `/clients/${TEST_PORTAL.client_id}/secret`, token)).status).toBe(409);
    expect((await api('POST', `/clients/${TEST_PORTAL.client_id}/disable`, token, {})).body).toMatchObject({
      status: 'disabled',
      source: 'configuration',
    });
    expect((await api('POST', `/clients/${TEST_PORTAL.client_id}/enable`, token, {})).body).toMatchObject({
      status: 'active',
    });
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateSigningKeys } from '../../src/oidc/signing-keys.ts';
import { randomToken } from '../../src/shared/ids.ts';
import { Browser } from '../support/browser.ts';
import { basicAuth, isolatedStoresEnv, TEST_PORTAL } from '../support/broker.ts';
import { authorize } from '../support/flows.ts';
import { startMongo } from '../support/mongo.ts';
import { createPortal, type Portal } from '../support/portal.ts';
import { spawnBroker } from '../support/process-broker.ts';
import { startRedis } from '../support/redis.ts';
import { startRogueUpstream } from '../support/rogue-upstream.ts';
import { startRoundRobinProxy } from '../support/round-robin-proxy.ts';
import { linkIn, startSmtp, type SmtpCapture } from '../support/smtp.ts';
import { createTestCertificate, trustInThisProcess } from '../support/tls.ts';

type Node = Awaited<ReturnType<typeof spawnBroker>>;

let redis: Awaited<ReturnType<typeof startRedis>>;
let mongo: Awaited<ReturnType<typeof startMongo>>;
let smtp: SmtpCapture;
let upstream: Awaited<ReturnType<typeof startRogueUpstream>>;
let proxy: Awaited<ReturnType<typeof startRoundRobinProxy>>;
let portal: Portal;
let nodes: Node[] = [];
let startNode: () => Promise<Node>;
let env: Record<string, string>;
const ADMIN_SECRET = randomToken(32);

beforeAll(async () => {
  [redis, mongo, smtp] = await Promise.all([startRedis(), startMongo(), startSmtp()]);
  // Production mode, as deployed: https at a load balancer that terminates TLS, and an https upstream.
  const tls = createTestCertificate();
  trustInThisProcess(tls.cert);
  // The upstream is a party outside the broker: a scripted OpenID provider shared by both nodes.
  upstream = await startRogueUpstream({
    clientId: 'broker',
    subject: 'ext-bob',
    email: 'bob@outlook.example',
    foreignIssuer: 'https://127.0.0.1:9/x',
    tls,
  });
  proxy = await startRoundRobinProxy({ tls });

  const dir = mkdtempSync(join(tmpdir(), 'two-nodes-'));
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: await generateSigningKeys() }));
  writeFileSync(
    join(dir, 'directory.json'),
    JSON.stringify({
      organisations: [
        { id: 'o1', accountNumber: 'C-1', name: 'Contoso', kind: 'customer', contractEndsOn: '2099-12-31' },
        { id: 'o2', accountNumber: 'P-2', name: 'Fabrikam', kind: 'partner', contractEndsOn: '2099-12-31' },
      ],
      profiles: [
        { id: 'bob-1', organisationId: 'o1', email: 'bob@org.example', displayName: 'Bob', role: 'professional' },
        { id: 'bob-2', organisationId: 'o2', email: 'bob@org.example', displayName: 'Bob', role: 'administrator' },
        { id: 'erin-1', organisationId: 'o1', email: 'erin@org.example', displayName: 'Erin', role: 'professional' },
      ],
      associations: [
        { profileId: 'bob-1', upstreamId: 'ext', subject: 'ext-bob' },
        { profileId: 'bob-2', upstreamId: 'ext', subject: 'ext-bob' },
      ],
    }),
  );
  // Everything a production node shares with the others: stores, keys, configuration.
  env = {
    NODE_ENV: 'production',
    NODE_EXTRA_CA_CERTS: tls.certFile,
    ISSUER: proxy.url,
    TRUST_PROXY: 'true',
    DEMO: 'false',
    ...isolatedStoresEnv(redis.url, mongo.uri),
    JWKS_FILE: join(dir, 'jwks.json'),
    COOKIE_KEYS: randomToken(32),
    SECRET_KEYS: randomToken(32),
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Broker <no-reply@broker.example>',
    SUPPORT_EMAIL: 'help@broker.example',
    ADMIN_CLIENT_ID: 'root-admin',
    ADMIN_CLIENT_SECRET: ADMIN_SECRET,
  };
  const config = {
    clients: [TEST_PORTAL],
    upstreams: [
      {
        id: 'ext',
        name: 'External account',
        issuer: upstream.issuer,
        clientId: 'broker',
        clientSecret: 'broker-secret-0123456789',
      },
    ],
    directorySeedFile: join(dir, 'directory.json'),
  };
  startNode = () => spawnBroker(config, env);
  nodes = await Promise.all([startNode(), startNode()]);
  proxy.state.targets = nodes.map((n) => n.port);
  portal = await createPortal(proxy.url);
}, 90_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await Promise.all([proxy?.close(), upstream?.close(), smtp?.close(), redis?.stop(), mongo?.stop()]);
});

/** How many requests each current node has served. */
const hitsPerNode = () => nodes.map((n) => proxy.state.hits.get(n.port) ?? 0);

describe('two broker nodes in production mode sharing Redis and MongoDB', () => {
  it('completes a sign-in whose requests alternate between the nodes', async () => {
    upstream.state.subject = 'ext-bob';
    const before = hitsPerNode();
    const browser = new Browser();
    const { page, checks } = await authorize(browser, portal);
    const picker = await browser.submit(
      page,
      'form[action$="/upstream"]',
      {},
      { submitter: 'button[value="ext"]', stopAt: [portal.redirectUri] },
    );
    expect(picker.$('h1').text()).toBe('Choose a profile');
    const back = await browser.submit(
      picker,
      'form[action$="/select"]',
      { profile: 'bob-2' },
      { stopAt: [portal.redirectUri] },
    );
    const tokens = await portal.redeem(back.stopped!, checks);
    expect(tokens.claims()).toMatchObject({ sub: 'bob-2', org_name: 'Fabrikam', profile_kind: 'partner' });
    expect((await portal.userinfo(tokens.access_token, 'bob-2')).org_account_number).toBe('P-2');
    const refreshed = await portal.refresh(tokens.refresh_token!);
    expect(refreshed.claims()!.sub).toBe('bob-2');
    // Production mode behind the TLS proxy: the session cookies are Secure.
    expect(browser.setCookies.filter((c) => c.startsWith('_session=')).every((c) => /;\s*secure/i.test(c))).toBe(true);
    expect(browser.setCookies.some((c) => c.startsWith('_session='))).toBe(true);
    const after = hitsPerNode();
    expect(after[0]! - before[0]!).toBeGreaterThan(3);
    expect(after[1]! - before[1]!).toBeGreaterThan(3);
  });

  it('finishes a first-login association on another node, even after the node that started it was killed', async () => {
    upstream.state.subject = 'ext-erin';
    const browser = new Browser();
    const { page, checks } = await authorize(browser, portal);
    const emailPage = await browser.submit(page, 'form[action$="/upstream"]', {}, { submitter: 'button[value="ext"]' });
    expect(emailPage.$('h1').text()).toBe('Enter your registered email address');
    const sent = await browser.submit(emailPage, 'form[action$="/associate"]', { email: 'erin@org.example' });
    expect(sent.$('h1').text()).toBe('Check your email');
    await smtp.waitFor(() => smtp.to('erin@org.example').some((m) => (m.text ?? '').includes(proxy.url)), 20_000);
    const link = linkIn(
      smtp.to('erin@org.example').find((m) => (m.text ?? '').includes(proxy.url))!,
      proxy.url,
    );

    // Between "check your email" and the click, one node dies hard and a fresh process takes its place.
    await nodes[0]!.stop('SIGKILL');
    nodes[0] = await startNode();
    proxy.state.targets = nodes.map((n) => n.port);

    const linkBrowser = new Browser();
    const landing = await linkBrowser.go(link);
    expect(landing.$('h1').text()).toBe('Associate your sign-in with Contoso');
    const success = await linkBrowser.submit(landing, 'form[action="/associate/continue"]');
    expect(success.text).toContain('Your External account is now associated with your profile at Contoso');

    const back = await browser.go(sent.url, { stopAt: [portal.redirectUri] });
    expect((await portal.redeem(back.stopped!, checks)).claims()).toMatchObject({ sub: 'erin-1', org_name: 'Contoso' });
    // One association, one notice, whichever node sent it.
    await smtp.waitFor(
      () => smtp.to('erin@org.example').some((m) => m.subject?.startsWith('A sign-in account')),
      20_000,
    );
    expect(smtp.to('erin@org.example').filter((m) => m.subject?.startsWith('A sign-in account'))).toHaveLength(1);
  }, 120_000);

  it('refuses a client disabled through the admin API on both nodes at once, serves it again when enabled, and stops a rotated secret everywhere', async () => {
    const tokenResponse = await fetch(`${proxy.url}/token`, {
      method: 'POST',
      headers: { authorization: basicAuth('root-admin', ADMIN_SECRET) },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'admin:clients' }),
    });
    const adminToken = ((await tokenResponse.json()) as { access_token: string }).access_token;
    const admin = async (path: string, body?: unknown) => {
      const response = await fetch(`${proxy.url}/admin/api/v1${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const authorizeStatuses = async (clientId: string, redirectUri: string) => {
      const url = `${proxy.url}/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid', redirect_uri: redirectUri, code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })}`;
      const before = hitsPerNode();
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await fetch(url, { redirect: 'manual' })).status);
      const after = hitsPerNode();
      expect(after.map((n, i) => n - before[i]!)).toEqual([2, 2]);
      return statuses;
    };
    const tokenWith = async (clientId: string, secret: string) => {
      const response = await fetch(`${proxy.url}/token`, {
        method: 'POST',
        headers: { authorization: basicAuth(clientId, secret) },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'anything' }),
      });
      return (await response.json()) as { error: string };
    };

    expect(await authorizeStatuses(TEST_PORTAL.client_id, TEST_PORTAL.redirect_uris[0]!)).toEqual([303, 303, 303, 303]);
    expect(await admin(`/clients/${TEST_PORTAL.client_id}/disable`, { reason: 'incident 42' })).toMatchObject({
      status: 200,
      body: { status: 'disabled' },
    });
    expect(await authorizeStatuses(TEST_PORTAL.client_id, TEST_PORTAL.redirect_uris[0]!)).toEqual([400, 400, 400, 400]);
    expect((await tokenWith(TEST_PORTAL.client_id, TEST_PORTAL.client_secret)).error).toBe('invalid_client');
    expect(await admin(`/clients/${TEST_PORTAL.client_id}/enable`)).toMatchObject({
      status: 200,
      body: { status: 'active' },
    });
    expect(await authorizeStatuses(TEST_PORTAL.client_id, TEST_PORTAL.redirect_uris[0]!)).toEqual([303, 303, 303, 303]);

    // A client registered through the API, its secret rotated: the old secret fails on both nodes at once.
    const created = await admin('/clients', {
      client_id: 'api-portal',
      redirect_uris: ['https://api-portal.example/cb'],
    });
    const first = created.body.client_secret as string;
    expect((await tokenWith('api-portal', first)).error).toBe('invalid_grant');
    const second = (await admin('/clients/api-portal/secret')).body.client_secret as string;
    expect([(await tokenWith('api-portal', first)).error, (await tokenWith('api-portal', first)).error]).toEqual([
      'invalid_client',
      'invalid_client',
    ]);
    expect([(await tokenWith('api-portal', second)).error, (await tokenWith('api-portal', second)).error]).toEqual([
      'invalid_grant',
      'invalid_grant',
    ]);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateSigningKeys } from '../../src/oidc/signing-keys.ts';
import { randomToken } from '../../src/shared/ids.ts';
import { Browser } from '../support/browser.ts';
import { isolatedStoresEnv } from '../support/broker.ts';
import { completeAssociation, confirmSignOut, signInUpstream } from '../support/flows.ts';
import { waitUntil } from '../support/wait.ts';
import { startMongo } from '../support/mongo.ts';
import { spawnBroker } from '../support/process-broker.ts';
import { startRedis } from '../support/redis.ts';
import { startRoundRobinProxy } from '../support/round-robin-proxy.ts';
import { linkIn, startSmtp, type SmtpCapture } from '../support/smtp.ts';

type Node = Awaited<ReturnType<typeof spawnBroker>>;

let redis: Awaited<ReturnType<typeof startRedis>>;
let mongo: Awaited<ReturnType<typeof startMongo>>;
let smtp: SmtpCapture;
let proxy: Awaited<ReturnType<typeof startRoundRobinProxy>>;
let nodes: Node[] = [];

// What docker-compose.yml runs, without Docker: the demo on two nodes behind a proxy that alternates between them,
// sharing MongoDB, Redis, the signing-key file, the cookie-key file and the client-secret key file, with mail going
// to an SMTP sink.
beforeAll(async () => {
  [redis, mongo, smtp] = await Promise.all([startRedis(), startMongo(), startSmtp()]);
  proxy = await startRoundRobinProxy();
  const dir = mkdtempSync(join(tmpdir(), 'demo-nodes-'));
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: await generateSigningKeys() }));
  writeFileSync(join(dir, 'cookie-keys'), `${randomToken(32)}\n`);
  writeFileSync(join(dir, 'secret-keys'), `${randomToken(32)}\n`);
  const env = {
    NODE_ENV: 'development',
    DEMO: 'true',
    ISSUER: proxy.url,
    TRUST_PROXY: 'true',
    ...isolatedStoresEnv(redis.url, mongo.uri),
    JWKS_FILE: join(dir, 'jwks.json'),
    COOKIE_KEYS_FILE: join(dir, 'cookie-keys'),
    SECRET_KEYS_FILE: join(dir, 'secret-keys'),
    SMTP_URL: smtp.url,
  };
  nodes = await Promise.all([spawnBroker({ clients: [] }, env), spawnBroker({ clients: [] }, env)]);
  proxy.state.targets = nodes.map((n) => n.port);
}, 90_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await Promise.all([proxy?.close(), smtp?.close(), redis?.stop(), mongo?.stop()]);
});

const hitsPerNode = () => nodes.map((n) => proxy.state.hits.get(n.port) ?? 0);

describe('the demo on two nodes behind a proxy', () => {
  it('signs in at a demo portal while every request alternates between the nodes', async () => {
    const before = hitsPerNode();
    const browser = new Browser();
    const signInPage = await browser.go(`${proxy.url}/demo/customer-portal/login`);
    expect(signInPage.$('h1').text()).toContain('Sign in');
    const portalPage = await signInUpstream(browser, signInPage, 'alice');
    expect(portalPage.url).toBe(`${proxy.url}/demo/customer-portal/`);
    expect(portalPage.$('.alert').length).toBe(0);
    expect(JSON.parse(portalPage.$('#id-token-claims').text())).toMatchObject({
      sub: 'prf-alice-contoso',
      org_name: 'Contoso Pharmaceuticals',
    });
    expect(JSON.parse(portalPage.$('#api-token-claims').text())).toMatchObject({
      aud: `${proxy.url}/demo/api`,
      org_name: 'Contoso Pharmaceuticals',
    });
    const after = hitsPerNode();
    expect(after[0]! - before[0]!).toBeGreaterThan(3);
    expect(after[1]! - before[1]!).toBeGreaterThan(3);

    const signedOut = await browser.go(`${proxy.url}/demo/customer-portal/logout`);
    const done = signedOut.$('form').length ? await browser.submit(signedOut, 'form') : signedOut;
    expect(done.text).not.toContain('Signed in as');
  });

  it('runs a first login across the nodes, the email going through SMTP', async () => {
    const browser = new Browser();
    const signInPage = await browser.go(`${proxy.url}/demo/customer-portal/login`);
    const emailPage = await signInUpstream(browser, signInPage, 'erin');
    expect(emailPage.$('h1').text()).toBe('Enter your registered email address');
    const sent = await browser.submit(emailPage, 'form[action$="/associate"]', { email: 'erin.evans@contoso.example' });
    expect(sent.$('h1').text()).toBe('Check your email');
    await smtp.waitFor(() => smtp.to('erin.evans@contoso.example').length === 1, 20_000);
    const link = linkIn(smtp.to('erin.evans@contoso.example')[0]!, proxy.url);

    const success = await completeAssociation(new Browser(), link, 'erin');
    expect(success.text).toContain(
      'Your Demo consumer account is now associated with your profile at Contoso Pharmaceuticals',
    );
    // The waiting tab carries on to the portal, signed in as the profile just associated.
    const portalPage = await browser.go(sent.url);
    expect(JSON.parse(portalPage.$('#id-token-claims').text())).toMatchObject({ sub: 'prf-erin-contoso' });
  });

  it('signs out on one node and ends the portal session by back-channel logout from the shared queue', async () => {
    const browser = new Browser();
    const portal = `${proxy.url}/demo/customer-portal/`;
    await signInUpstream(browser, await browser.go(`${proxy.url}/demo/customer-portal/login`), 'alice');
    expect((await browser.go(portal)).text).toContain('Signed in as');

    // "My account" in the same browser (the broker session signs it in), then its "Sign out".
    const overview = await browser.go(`${proxy.url}/account`);
    expect(overview.$('h1').text()).toBe('My account');
    const confirm = await browser.submit(overview, 'form[action="/account/sign-out"]');
    const done = await confirmSignOut(browser, confirm, []);
    expect(done.$('h1').text()).toBe('You are signed out');

    // Whichever node works the job, the demo portal verifies the logout token and ends its session.
    await waitUntil(
      async () => (await browser.go(portal)).$('#ended-by-broker').length === 1,
      30_000,
      'the portal session ended by back-channel logout',
    );
    expect((await browser.go(portal)).text).toContain('You are not signed in.');
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import mongoose from 'mongoose';
import { generateSigningKeys } from '../../src/oidc/signing-keys.ts';
import { randomToken } from '../../src/shared/ids.ts';
import { adminApi } from '../support/admin-api.ts';
import { Browser } from '../support/browser.ts';
import { isolatedStoresEnv } from '../support/broker.ts';
import { reportFigure } from '../support/figures.ts';
import { completeAssociation, requestAssociation } from '../support/flows.ts';
import { startMongo } from '../support/mongo.ts';
import { createPortal } from '../support/portal.ts';
import { spawnBroker } from '../support/process-broker.ts';
import { startRedis } from '../support/redis.ts';
import { freePort } from '../support/free-port.ts';
import { linkIn, startSmtp, type SmtpCapture } from '../support/smtp.ts';
import { createTripwires, mongoCommand } from '../support/tripwire-proxy.ts';
import { waitUntil } from '../support/wait.ts';

// A broker process on production stores is killed at each point of the link callback where it writes something,
// then started again on the same stores and address. Whatever the person does next, the profile ends up with one
// association, one audit event and one notice.
let redis: Awaited<ReturnType<typeof startRedis>>;
let mongo: Awaited<ReturnType<typeof startMongo>>;
let smtp: SmtpCapture;
const tripwires = createTripwires();
let redisProxy: Awaited<ReturnType<typeof tripwires.proxy>>;
let mongoProxy: Awaited<ReturnType<typeof tripwires.proxy>>;
let keysEnv: Record<string, string>;
const running: Awaited<ReturnType<typeof spawnBroker>>[] = [];

beforeAll(async () => {
  [redis, mongo, smtp] = await Promise.all([startRedis(), startMongo(), startSmtp()]);
  [redisProxy, mongoProxy] = await Promise.all([
    tripwires.proxy(Number(new URL(redis.url).port)),
    tripwires.proxy(Number(new URL(mongo.uri).port)),
  ]);
  // Both lives of a broker share its keys, as the nodes of a deployment do (the demo upstream's secrets derive from them).
  const dir = mkdtempSync(join(tmpdir(), 'notice-crash-'));
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: await generateSigningKeys() }));
  writeFileSync(join(dir, 'cookie-keys'), `${randomToken(32)}\n`);
  writeFileSync(join(dir, 'secret-keys'), `${randomToken(32)}\n`);
  keysEnv = {
    JWKS_FILE: join(dir, 'jwks.json'),
    COOKIE_KEYS_FILE: join(dir, 'cookie-keys'),
    SECRET_KEYS_FILE: join(dir, 'secret-keys'),
  };
}, 60_000);
afterAll(async () => {
  await Promise.all(running.map((b) => b.stop('SIGKILL')));
  await Promise.all([redisProxy?.close(), mongoProxy?.close(), smtp?.close(), redis?.stop(), mongo?.stop()]);
});

const ADDRESS = 'erin.evans@contoso.example';
const ADMIN = { clientId: 'crash-admin', clientSecret: 'crash-admin-secret-0123456789abcdef' };

/** The kill points, in the order the callback reaches them, each named by the store command it is about to send. */
const POINTS: { name: string; pattern: Buffer }[] = [
  { name: 'before the association is written', pattern: mongoCommand('findAndModify', 'associations') },
  { name: 'after the association, before its audit event', pattern: mongoCommand('insert', 'audit_events') },
  { name: 'after the audit event, before the link is completed', pattern: Buffer.from("'used', 'KEEPTTL'") },
  { name: 'after the link is completed, before the notice is queued', pattern: Buffer.from('association-notice') },
  { name: 'after the notice is queued, before the outbox is cleared', pattern: mongoCommand('update', 'associations') },
];

async function world() {
  const stores = isolatedStoresEnv(
    `redis://127.0.0.1:${redisProxy.port}`,
    `mongodb://127.0.0.1:${mongoProxy.port}/db?directConnection=true`,
  );
  const port = String(await freePort());
  const env = {
    NODE_ENV: 'development',
    DEMO: 'true',
    PORT: port,
    ISSUER: `http://127.0.0.1:${port}`,
    SMTP_URL: smtp.url,
    ...stores,
    ...keysEnv,
    ADMIN_CLIENT_ID: ADMIN.clientId,
    ADMIN_CLIENT_SECRET: ADMIN.clientSecret,
  };
  // The relay looks every second for notices owed for over a second; a killed node's claim on a message it was
  // sending lapses after 5 s (30 s by default), so another node sends it sooner.
  const config = {
    mail: {
      outbox: { intervalSeconds: 1, graceSeconds: 1 },
      retry: { attempts: 5, baseDelayMs: 50, maxDelayMs: 200 },
      claimSeconds: 5,
    },
  };
  const start = async () => {
    const broker = await spawnBroker(config, env);
    running.push(broker);
    return broker;
  };
  const database = mongoose.createConnection(mongo.uri.replace(/\/[^/]*$/, `/${stores.REDIS_PREFIX!.slice(0, -1)}`));
  const queue = new Queue('broker-mail', {
    connection: { host: '127.0.0.1', port: Number(new URL(redis.url).port) },
    prefix: `${stores.REDIS_PREFIX}bull`,
  });
  return { start, issuer: env.ISSUER, database, queue };
}

describe('a broker killed in the middle of an association', () => {
  for (const point of POINTS) {
    it(`ends with one association, one audit event and one notice when killed ${point.name}`, async () => {
      const { start, issuer, database, queue } = await world();
      try {
        const first = await start();
        const portal = await createPortal(issuer);
        // This test's messages: the tests of this file run one after the other, on one SMTP server.
        const earlier = smtp.to(ADDRESS).length;
        const mailbox = () => smtp.to(ADDRESS).slice(earlier);
        const notices = () => mailbox().filter((m) => m.subject?.startsWith('A sign-in account'));
        await requestAssociation(new Browser(), portal, 'dave', ADDRESS);
        await smtp.waitFor(() => mailbox().length === 1, 20_000);
        const link = linkIn(mailbox()[0]!, issuer);

        const tripped = tripwires.arm(point.pattern);
        const attempt = completeAssociation(new Browser(), link, 'dave').catch(() => undefined);
        await tripped;
        await first.stop('SIGKILL');
        tripwires.release();
        await attempt;

        await start();
        // The person opens the link again; once it was completed, its page says so and they sign in as usual.
        const landing = await new Browser().go(link);
        if (landing.status === 200) {
          const done = await completeAssociation(new Browser(), link, 'dave');
          expect(done.$('h1').text()).toBe('Your account is now associated');
        } else {
          expect(landing.status).toBe(410);
        }

        const associations = database.collection('associations');
        await waitUntil(() => notices().length >= 1, 150_000, 'the notice');
        await waitUntil(
          async () => (await associations.countDocuments({ noticePending: true })) === 0,
          30_000,
          'the outbox to empty',
        );
        await waitUntil(
          async () => Object.values(await queue.getJobCounts('waiting', 'active', 'delayed')).every((n) => n === 0),
          150_000,
          'the mail queue to drain',
        );
        const made = await associations.find({ profileId: 'prf-erin-contoso' }).toArray();
        const events = await database
          .collection('audit_events')
          .countDocuments({ action: 'association.created', profileId: 'prf-erin-contoso' });
        reportFigure(
          `killed ${point.name}: ${made.length} association, ${events} audit event, ${notices().length} notice`,
        );
        expect(made).toEqual([expect.objectContaining({ upstreamId: 'demo', subject: 'demo-0004-dave' })]);
        expect(events).toBe(1);
        expect(notices()).toHaveLength(1);
        expect(notices()[0]!.text).toContain(made[0]!.reference as string);
      } finally {
        tripwires.release();
        await Promise.all(running.splice(0).map((b) => b.stop('SIGKILL')));
        await Promise.all([database.close(), queue.close()]);
      }
    }, 300_000);
  }
});

describe('a broker killed in the middle of a change of administrator', () => {
  it('sends the new and the replaced administrator one email each, once a node is up again', async () => {
    const { start, issuer, queue, database } = await world();
    try {
      const first = await start();
      const api = adminApi(issuer, { id: ADMIN.clientId, secret: ADMIN.clientSecret });
      const token = await api.token('admin:support');
      const earlier = {
        designated: smtp.to(ADDRESS).length,
        replaced: smtp.to('alice.andersen@contoso.example').length,
      };
      const designated = () =>
        smtp
          .to(ADDRESS)
          .slice(earlier.designated)
          .filter((m) => m.subject?.startsWith('You are now the administrator'));
      const replaced = () =>
        smtp
          .to('alice.andersen@contoso.example')
          .slice(earlier.replaced)
          .filter((m) => m.subject?.startsWith('You are no longer the administrator'));

      // Killed once the role has changed and the audit event is written, as the first email is being queued.
      const tripped = tripwires.arm(Buffer.from('administrator-designated'));
      const change = api
        .call('PUT', '/support/organisations/org-contoso/administrator', token, {
          profile_id: 'prf-erin-contoso',
          reason: 'Alice left',
        })
        .catch(() => undefined);
      await tripped;
      await first.stop('SIGKILL');
      tripwires.release();
      await change;
      expect(designated()).toEqual([]);

      await start();
      await waitUntil(() => designated().length >= 1 && replaced().length >= 1, 150_000, 'both emails');
      await waitUntil(
        async () => Object.values(await queue.getJobCounts('waiting', 'active', 'delayed')).every((n) => n === 0),
        150_000,
        'the mail queue to drain',
      );
      reportFigure(
        `killed while queueing a change of administrator: ${designated().length} email to the new one, ${replaced().length} to the replaced one`,
      );
      expect(designated()).toHaveLength(1);
      expect(replaced()).toHaveLength(1);
      expect(designated()[0]!.text).toContain(/reference ([0-9A-F-]+)/.exec(replaced()[0]!.text ?? '')![1]!);
    } finally {
      tripwires.release();
      await Promise.all(running.splice(0).map((b) => b.stop('SIGKILL')));
      await Promise.all([database.close(), queue.close()]);
    }
  }, 300_000);
});

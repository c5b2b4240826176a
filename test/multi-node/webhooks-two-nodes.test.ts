import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomToken, referenceCode } from '../../src/shared/ids.ts';
import { createMongoAuditLog } from '../../src/stores/mongo/audit-log.ts';
import { createMongoConnection } from '../../src/stores/mongo/connection.ts';
import { brokerModels } from '../../src/stores/mongo/models.ts';
import { adminApi } from '../support/admin-api.ts';
import { isolatedStores, startBroker, type TestBroker } from '../support/broker.ts';
import { startMongo } from '../support/mongo.ts';
import { startRedis } from '../support/redis.ts';
import { waitUntil } from '../support/wait.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const ROOT = { id: 'root-admin', secret: 'root-admin-secret-0123456789abcdefghij' };
let redis: Awaited<ReturnType<typeof startRedis>>;
let mongo: Awaited<ReturnType<typeof startMongo>>;
let receiver: WebhookReceiver;
const nodes: TestBroker[] = [];
let stores: ReturnType<typeof isolatedStores>;
const cookieKey = randomToken(32);
const secretKey = randomToken(32);

beforeAll(async () => {
  [redis, mongo, receiver] = await Promise.all([startRedis(), startMongo(), startWebhookReceiver()]);
  // Two brokers on the same Redis and MongoDB, as two nodes behind a load balancer.
  stores = isolatedStores(redis.url, mongo.uri);
  for (let i = 0; i < 2; i += 1)
    nodes.push(
      await startBroker({
        stores,
        // Shared as production nodes share them: secrets one node encrypts, the other reads.
        keys: { cookieKeys: [cookieKey], secretKeys: [secretKey] },
        admin: { clientId: ROOT.id, clientSecret: ROOT.secret },
        webhooks: {
          retry: { attempts: 50, baseDelayMs: 20, maxDelayMs: 200 },
          relay: { intervalSeconds: 1, graceSeconds: 1 },
        },
      }),
    );
}, 60_000);
afterAll(async () => {
  for (const node of nodes) await node.close();
  await receiver.stop();
  await Promise.all([redis.stop(), mongo.stop()]);
});

it('two nodes sharing stores deliver each event once, in order per profile, and one recorded by a node that died before publishing arrives once', async () => {
  const apis = await Promise.all(
    nodes.map(async (node) => {
      const api = adminApi(node.issuer, ROOT);
      return { api, directory: await api.token('admin:directory'), events: await api.token('admin:events') };
    }),
  );
  const created = await apis[0]!.api.call('POST', '/webhooks', apis[0]!.events, { url: receiver.url() });
  expect(created.status).toBe(201);
  receiver.useSecret(created.body!.secret);
  const webhookId = created.body!.webhook.id as string;

  // Changes alternate between the nodes; the receiver is down for the first half.
  await receiver.stop();
  const expected: Record<string, string[]> = { 'prf-bob-contoso': [], 'prf-erin-contoso': [] };
  for (let round = 0; round < 4; round += 1) {
    if (round === 2) await receiver.start();
    for (const [i, profileId] of Object.keys(expected).entries()) {
      const { api, directory } = apis[(round + i) % 2]!;
      for (const verb of ['disable', 'enable']) {
        const changed = await api.call('POST', `/directory/profiles/${profileId}/${verb}`, directory, {});
        expect(changed.status).toBe(200);
        expected[profileId]!.push(`profile.${verb}d`);
      }
    }
  }
  // A third broker process recorded a change and died before publishing it: only the audit log holds it.
  const connection = createMongoConnection(stores.mongodbUri, {
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
  });
  await connection.asPromise();
  const orphan = referenceCode();
  await createMongoAuditLog(brokerModels(connection)).record({
    id: orphan,
    at: new Date(),
    action: 'profile.updated',
    outcome: 'success',
    actor: 'admin:root-admin',
    profileId: 'prf-alice-contoso',
    organisationId: 'org-contoso',
    details: { fields: 'display_name' },
  });
  await connection.close();

  const total = 16 + 1;
  await waitUntil(() => receiver.received.length >= total, 30_000, 'every event received');
  // Both nodes' relays have run past every event: still nothing twice.
  const last = Date.now();
  await waitUntil(() => Date.now() > last + 2500, 5000, 'two more relay runs');
  await Promise.all(nodes.map((node) => node.services.webhooks.relayOnce()));
  await waitUntil(
    async () => (await Promise.all(nodes.map((n) => n.services.webhooks.deps.queue.pending()))).every((p) => p === 0),
    10_000,
    'queues idle',
  );
  expect(receiver.received).toHaveLength(total);
  expect(new Set(receiver.received.map((r) => r.id)).size).toBe(total);
  expect(receiver.received.every((r) => r.verified)).toBe(true);
  expect(receiver.received.filter((r) => r.id === orphan)).toHaveLength(1);
  for (const [profileId, types] of Object.entries(expected))
    expect(receiver.received.filter((r) => r.payload.data.profile_id === profileId).map((r) => r.payload.type)).toEqual(
      types,
    );
  const listed = await apis[1]!.api.call('GET', `/webhooks/${webhookId}/deliveries?limit=100`, apis[1]!.events);
  expect(listed.body!.deliveries).toHaveLength(total);
  expect(listed.body!.deliveries.every((d: { status: string }) => d.status === 'delivered')).toBe(true);
});

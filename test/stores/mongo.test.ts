import { createMongoWebhookStore } from '../../src/stores/mongo/webhook-store.ts';
import { webhookStoreContract } from './webhook-store.contract.ts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Connection } from 'mongoose';
import { randomToken } from '../../src/shared/ids.ts';
import { createMongoConnection } from '../../src/stores/mongo/connection.ts';
import { createMongoDirectory } from '../../src/stores/mongo/directory.ts';
import { brokerModels } from '../../src/stores/mongo/models.ts';
import { createAuditRetentionIndex, createMongoAuditLog } from '../../src/stores/mongo/audit-log.ts';
import { createMongoClientStore } from '../../src/stores/mongo/client-store.ts';
import { auditLogContract, clientStoreContract } from './client-and-audit.contract.ts';
import { encryptedClientStoreContract } from './encrypted-client-store.contract.ts';
import { seedMongoDirectory } from '../../src/stores/mongo/seed.ts';
import { startMongo } from '../support/mongo.ts';
import { CONTRACT_SEED, directoryContract } from './directory.contract.ts';

let server: Awaited<ReturnType<typeof startMongo>>;
const connections: Connection[] = [];
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

beforeAll(async () => {
  server = await startMongo();
}, 30_000);
afterAll(async () => {
  for (const c of connections) await c.close();
  await server.stop();
});

// Each test gets its own database on the server, with every index built.
async function freshDatabase() {
  const connection = createMongoConnection(
    server.uri.replace(/\/[^/]*$/, `/contract-${randomToken(6).replace(/[^A-Za-z0-9]/g, 'x')}`),
    silent,
  );
  connections.push(connection);
  await connection.asPromise();
  const models = brokerModels(connection);
  await Promise.all(Object.values(models).map((model) => model.createIndexes()));
  return models;
}

directoryContract('mongo', async () => {
  const models = await freshDatabase();
  await seedMongoDirectory(models, CONTRACT_SEED);
  return createMongoDirectory(models);
});
clientStoreContract('mongo', async () => createMongoClientStore(await freshDatabase()));
encryptedClientStoreContract('mongo', async () => createMongoClientStore(await freshDatabase()));
auditLogContract('mongo', async () => createMongoAuditLog(await freshDatabase()));
webhookStoreContract('mongo', async () => createMongoWebhookStore(await freshDatabase()));

describe('mongo audit log retention', () => {
  it('stamps each event with when it expires; expired events go (TTL index, or the sweep where the server has none)', async () => {
    const models = await freshDatabase();
    const how = await createAuditRetentionIndex(models);
    const log = createMongoAuditLog(models, 30);
    const old = new Date('2026-06-01T12:00:00Z');
    const now = new Date('2026-07-15T00:00:00Z');
    await log.record({ id: 'R-1', at: old, action: 'sign_in.succeeded', outcome: 'success', actor: 'system' });
    await log.record({ id: 'R-2', at: now, action: 'sign_in.succeeded', outcome: 'success', actor: 'system' });
    await createMongoAuditLog(models, 0).record({
      id: 'R-3',
      at: old,
      action: 'sign_in.succeeded',
      outcome: 'success',
      actor: 'system',
    });
    const stamped = (await models.AuditEvent.findById('R-1').lean()) as { expiresAt?: Date };
    expect(stamped.expiresAt?.toISOString()).toBe('2026-07-01T12:00:00.000Z');
    expect(((await models.AuditEvent.findById('R-3').lean()) as { expiresAt?: Date }).expiresAt).toBeUndefined();

    const index = (await models.AuditEvent.collection.indexes()).find((i) => i.name === 'retention');
    expect(index?.key).toEqual({ expiresAt: 1 });
    if (how === 'ttl') expect(index?.expireAfterSeconds).toBe(0);
    expect(await log.sweepExpired(now)).toBe(1);
    expect((await log.query({ limit: 10 })).map((e) => e.id).sort()).toEqual(['R-2', 'R-3']);
  });

  it('stores an event as the schema has it: its fields and none it lacks, the first of two with one id kept', async () => {
    const models = await freshDatabase();
    const log = createMongoAuditLog(models, 0);
    const at = new Date('2026-07-15T00:00:00Z');
    const event = { id: 'R-4', at, action: 'sign_in.succeeded', outcome: 'success' as const, actor: 'system' };
    await log.record({ ...event, profileId: 'prf-1', ip: undefined, details: { upstream: 'demo', fresh: true } });
    await log.record({ ...event, action: 'sign_in.refused', outcome: 'failure' });
    expect(await models.AuditEvent.collection.findOne({ _id: 'R-4' as never })).toEqual({
      _id: 'R-4',
      at,
      action: 'sign_in.succeeded',
      outcome: 'success',
      actor: 'system',
      profileId: 'prf-1',
      details: { upstream: 'demo', fresh: true },
    });
  });
});

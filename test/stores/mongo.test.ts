import { createMongoWebhookStore } from '../../src/stores/mongo/webhook-store.ts';
import { webhookStoreContract } from './webhook-store.contract.ts';
import { afterAll, beforeAll } from '@jest/globals';
import type { Connection } from 'mongoose';
import { randomToken } from '../../src/shared/ids.ts';
import { createMongoConnection } from '../../src/stores/mongo/connection.ts';
import { createMongoDirectory } from '../../src/stores/mongo/directory.ts';
import { brokerModels } from '../../src/stores/mongo/models.ts';
import { createMongoAuditLog } from '../../src/stores/mongo/audit-log.ts';
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

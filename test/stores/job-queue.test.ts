import { afterAll, beforeAll } from '@jest/globals';
import { createMemoryJobQueue } from '../../src/shared/job-queue.ts';
import { connectRedis } from '../../src/stores/redis/connection-options.ts';
import { createBullmqJobQueue } from '../../src/stores/redis/bullmq-job-queue.ts';
import { startRedis } from '../support/redis.ts';
import { jobQueueContract } from './job-queue.contract.ts';

let server: Awaited<ReturnType<typeof startRedis>>;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server.stop();
});

jobQueueContract('memory', async (options) => createMemoryJobQueue(options));

// A real redis-server; each queue has its own name, so tests do not see each other's jobs.
jobQueueContract('BullMQ on Redis', async (options) =>
  createBullmqJobQueue({
    ...options,
    connect: (redisOptions) => connectRedis(server.url, redisOptions),
    prefix: 'test-bull',
    claimSeconds: 5,
  }),
);

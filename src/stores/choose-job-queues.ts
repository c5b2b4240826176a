import type { RedisOptions } from 'ioredis';
import type { Config } from '../config/schema.ts';
import {
  createMemoryJobQueue,
  type JobFailureReport,
  type JobHandler,
  type JobQueue,
  type RetryPolicy,
} from '../shared/job-queue.ts';
import type { Logger } from '../shared/logger.ts';

/** Makes one durable job queue by name, with its handler, retries and report of jobs given up on. */
export type JobQueueFactory = <T>(
  name: string,
  handler: JobHandler<T>,
  retry: RetryPolicy,
  onFailed?: JobFailureReport<T>,
) => JobQueue<T>;

/**
 * Durable job queues by name, as the stores are chosen (choose-stores.ts): BullMQ with Redis (under queuePrefix,
 * beside the mail queue), memory otherwise. BullMQ and ioredis are loaded only then. `consume`: false in a process
 * that only hands jobs over (the command line).
 */
export async function chooseJobQueues(config: Config, logger: Logger, consume: boolean): Promise<JobQueueFactory> {
  if (!config.stores.redisUrl)
    return (name, handler, retry, onFailed) => createMemoryJobQueue({ name, handler, retry, logger, onFailed });
  const { createBullmqJobQueue } = await import('./redis/bullmq-job-queue.ts');
  const connect = await redisConnector(config.stores.redisUrl);
  return (name, handler, retry, onFailed) =>
    createBullmqJobQueue({
      name,
      handler,
      retry,
      logger,
      onFailed,
      connect,
      prefix: queuePrefix(config),
      claimSeconds: config.mail.claimSeconds,
      consume,
    });
}

/**
 * The key prefix of every BullMQ queue (the mail queue's too): `<REDIS_PREFIX>bull`. BullMQ's scripts touch several
 * keys of a queue at once, so on Redis Cluster the prefix is a hash tag, `{<REDIS_PREFIX>bull}`, which puts every
 * queue in one slot. One server keeps the untagged name, so an upgrade finds the mail already queued there.
 */
export function queuePrefix(config: Config): string {
  const prefix = `${config.stores.redisPrefix}bull`;
  return /^rediss?-cluster:/.test(config.stores.redisUrl ?? '') ? `{${prefix}}` : prefix;
}

/** New Redis connections to `url` with the caller's options, for the queues. */
export async function redisConnector(url: string) {
  const { connectRedis } = await import('./redis/connection-options.ts');
  return (options: RedisOptions) => connectRedis(url, options);
}

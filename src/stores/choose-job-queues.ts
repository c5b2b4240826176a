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
 * Durable job queues by name, as the stores are chosen (choose-stores.ts): BullMQ with Redis (in `${redisPrefix}bull`,
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
      prefix: `${config.stores.redisPrefix}bull`,
      claimSeconds: config.mail.claimSeconds,
      consume,
    });
}

/** New Redis connections to `url` with the caller's options, for the queues. */
export async function redisConnector(url: string) {
  const { connectRedis } = await import('./redis/connection-options.ts');
  return (options: RedisOptions) => connectRedis(url, options);
}

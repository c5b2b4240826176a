import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import type { RedisClient } from './connection-options.ts';
import {
  failureReason,
  JOB_IDEMPOTENCY_WINDOW_MS,
  jobRetryDelay,
  PermanentJobFailure,
  reportFailure,
  type FailedJob,
  type JobQueue,
  type JobQueueOptions,
  type QueuedJob,
} from '../../shared/job-queue.ts';

/** What a BullMQ job carries: the queued job as handed over. */
type Stored<T> = QueuedJob<T>;

/**
 * Durable jobs on Redis through BullMQ (with the shared stores): a job survives a restart of the broker, every node
 * works the same queue, a job whose node died mid-run is run again by another once its claim lapses, retries back
 * off exponentially up to `maxDelayMs`, and a job that fails every attempt stays in the queue's failed set.
 */
export function createBullmqJobQueue<T>(
  options: JobQueueOptions<T> & {
    /** A new Redis connection with these behaviour options (the composition root knows where Redis is). */
    connect: (redisOptions: RedisOptions) => RedisClient;
    /** Key prefix of BullMQ's keys, choose-job-queues.ts queuePrefix like the mail queue's. */
    prefix: string;
    /** How long a claim on a running job lasts, and how often lapsed claims are looked for. */
    claimSeconds?: number;
    /** False in a process that only hands jobs over (the command line): the brokers' workers run them. */
    consume?: boolean;
    /** Jobs one node runs at once. */
    concurrency?: number;
  },
): JobQueue<T> {
  const { name, logger } = options;
  // BullMQ wants its own connections: the producer fails fast, the worker's blocking reads wait for Redis.
  const producer = options.connect({
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    connectTimeout: 2000,
  });
  producer.on('error', () => undefined);
  const queue = new Queue<Stored<T>>(name, { connection: producer, prefix: options.prefix });
  // Redis being away shows as a stream of connection errors: log the first of each outage, not every retry.
  let reported = false;
  const reportOnce = (err: Error) => {
    if (!reported) logger.warn(`${name}.queue_unavailable`, { message: err.message });
    reported = true;
  };
  queue.on('error', reportOnce);
  const consuming = options.consume !== false ? startWorker() : undefined;

  function startWorker() {
    const connection = options.connect({ maxRetriesPerRequest: null, connectTimeout: 2000 });
    connection.on('error', () => undefined);
    const claimMs = (options.claimSeconds ?? 30) * 1000;
    // Jobs this node runs now, which `close` lets finish.
    const running = new Set<Promise<void>>();
    const run = async (job: Job<Stored<T>>) => {
      try {
        await options.handler({ ...job.data, attempt: job.attemptsMade + 1 });
      } catch (err) {
        // What BullMQ keeps (the failed reason operators read) is the bounded message; a failure for good ends the
        // job at once.
        const reason = failureReason(err);
        throw err instanceof PermanentJobFailure ? new UnrecoverableError(reason) : new Error(reason);
      }
    };
    const worker = new Worker<Stored<T>>(
      name,
      (job: Job<Stored<T>>) => {
        const attempt = run(job).finally(() => running.delete(attempt));
        running.add(attempt);
        return attempt;
      },
      {
        connection,
        prefix: options.prefix,
        concurrency: options.concurrency ?? 5,
        lockDuration: claimMs,
        stalledInterval: claimMs,
        settings: { backoffStrategy: (attemptsMade: number) => jobRetryDelay(options.retry, attemptsMade) },
      },
    );
    worker.on('failed', (job, err) => {
      if (!job) return;
      const permanent = err instanceof UnrecoverableError;
      const final = permanent || job.attemptsMade >= options.retry.attempts;
      const line = { id: job.id, kind: job.data.kind, attempt: job.attemptsMade, error: err.message };
      if (!final) {
        logger.warn(`${name}.retry`, { ...line, delayMs: jobRetryDelay(options.retry, job.attemptsMade) });
        return;
      }
      logger.error(`${name}.failed`, { ...line, permanent });
      void reportFailure(options, toFailed(job), err);
    });
    worker.on('error', reportOnce);
    worker.on('completed', () => (reported = false));
    return { worker, connection, running, claimMs };
  }

  return {
    async enqueue(job, enqueueOptions) {
      const stored: Stored<T> = { kind: job.kind, data: job.data, ...(job.id ? { id: job.id } : {}) };
      await queue.add(job.kind, stored, {
        attempts: options.retry.attempts,
        backoff: { type: 'custom' },
        removeOnComplete: true,
        removeOnFail: false,
        ...(enqueueOptions?.delayMs ? { delay: enqueueOptions.delayMs } : {}),
        // With a ttl, BullMQ keeps the id after the job finished: a job handed over again is dropped.
        ...(job.id ? { deduplication: { id: job.id, ttl: JOB_IDEMPOTENCY_WINDOW_MS } } : {}),
      });
    },
    async failed() {
      return (await queue.getFailed()).map(toFailed);
    },
    async retry(id) {
      const job = await queue.getJob(id);
      if (!job || !(await job.isFailed())) return false;
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return true;
    },
    async pending() {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).reduce((a, b) => a + b, 0);
    },
    async close() {
      // No new job; the running ones finish, within their claim (past it another node runs them again anyway). Then
      // the connections go: BullMQ's own graceful close also waits for its fetching loop, which never ends while Redis
      // is away.
      const bounded = (promise: Promise<unknown>, ms = 2000) =>
        Promise.race([promise.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, ms).unref())]);
      if (consuming) {
        await bounded(consuming.worker.pause(true));
        await bounded(Promise.allSettled([...consuming.running]), consuming.claimMs);
        await bounded(consuming.worker.close(true));
      }
      await bounded(queue.close());
      producer.disconnect();
      consuming?.connection.disconnect();
    },
  };
}

function toFailed<T>(job: Job<Stored<T>>): FailedJob<T> {
  return {
    id: String(job.id),
    kind: job.data.kind,
    data: job.data.data,
    attempts: job.attemptsMade,
    lastError: job.failedReason,
    failedAt: new Date(job.finishedOn ?? job.timestamp),
  };
}

import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import type { Logger } from '../shared/logger.ts';
import {
  IDEMPOTENCY_WINDOW_MS,
  reportOutcome,
  retryDelay,
  type DeliveryQueue,
  type FailedDelivery,
  type RetryPolicy,
} from './delivery-queue.ts';
import type { DeliveryOutcome, MailTransport, OutgoingMail } from './outgoing.ts';
import { describeDeliveryFailure } from './smtp-failure.ts';

const QUEUE = 'broker-mail';

/**
 * Durable delivery on Redis through BullMQ (production): a message survives a restart of the broker, every node
 * works the same queue, retries back off exponentially up to `maxDelayMs`, and a message that fails every attempt
 * stays in the queue's failed set (with its reference) for operators.
 */
export function createBullmqDeliveryQueue(deps: {
  /** A new Redis connection with these behaviour options (the composition root knows where Redis is). */
  connect: (options: RedisOptions) => Redis | Cluster;
  transport: MailTransport;
  logger: Logger;
  retry: RetryPolicy;
  /** How long a claim on a message being sent lasts, and how often lapsed claims are looked for (mail.claimSeconds). */
  claimSeconds?: number;
  prefix?: string;
  onOutcome?: DeliveryOutcome;
  consume?: boolean;
}): DeliveryQueue {
  // BullMQ wants its own connections: the producer fails fast, the worker's blocking reads wait for Redis.
  const producer = deps.connect({
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    connectTimeout: 2000,
  });
  producer.on('error', () => undefined);
  const prefix = deps.prefix ?? 'bull';
  const queue = new Queue<OutgoingMail>(QUEUE, { connection: producer, prefix });
  // Redis being away shows as a stream of connection errors: log the first of each outage, not every retry.
  let reported = false;
  const reportOnce = (err: Error) => {
    if (!reported) deps.logger.warn('mail.queue_unavailable', { message: err.message });
    reported = true;
  };
  queue.on('error', reportOnce);
  // A process that only hands mail over (the command line) leaves the sending to the brokers' workers.
  const consuming =
    deps.consume !== false ? startWorker(deps, prefix, reportOnce, () => (reported = false)) : undefined;

  return {
    async enqueue(mail) {
      await queue.add(mail.kind, mail, {
        attempts: deps.retry.attempts,
        backoff: { type: 'custom' },
        removeOnComplete: true,
        removeOnFail: false,
        // With a ttl, BullMQ keeps the id after the job finished: a notice handed over again is dropped.
        ...(mail.id ? { deduplication: { id: mail.id, ttl: IDEMPOTENCY_WINDOW_MS } } : {}),
      });
    },
    async failed(): Promise<FailedDelivery[]> {
      const jobs = await queue.getFailed();
      return jobs.map((job) => ({
        id: failedId(job),
        reference: job.data.reference,
        kind: job.data.kind,
        attempts: job.attemptsMade,
        lastError: job.failedReason,
        failedAt: new Date(job.finishedOn ?? job.timestamp),
      }));
    },
    async requeue(id) {
      const job = (await queue.getFailed()).find((failed) => failedId(failed) === id);
      if (!job) return false;
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return true;
    },
    failedCount: () => queue.getFailedCount(),
    async pending() {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).reduce((a, b) => a + b, 0);
    },
    async close() {
      // No new message; the ones being sent finish, within their claim (past it another node sends them again
      // anyway). Then the connections go: BullMQ's own graceful close also waits for its fetching loop, which never
      // ends while Redis is away.
      const bounded = (promise: Promise<unknown>, ms = 2000) =>
        Promise.race([promise.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, ms).unref())]);
      if (consuming) {
        await bounded(consuming.worker.pause(true));
        await bounded(Promise.allSettled([...consuming.running]), (deps.claimSeconds ?? 30) * 1000);
        await bounded(consuming.worker.close(true));
      }
      await bounded(queue.close());
      producer.disconnect();
      consuming?.connection.disconnect();
      deps.transport.close?.();
    },
  };
}

type QueueDeps = Parameters<typeof createBullmqDeliveryQueue>[0];

/** A failed message's id for operators, as the memory queue gives it (FailedDelivery.id). */
const failedId = (job: Job<OutgoingMail>) => job.data.id ?? String(job.id);

/** The worker that sends queued mail, with retries; every broker runs one. */
function startWorker(deps: QueueDeps, prefix: string, reportOnce: (err: Error) => void, recovered: () => void) {
  const connection = deps.connect({ maxRetriesPerRequest: null, connectTimeout: 2000 });
  connection.on('error', () => undefined);
  // Messages this node sends now, which `close` lets finish.
  const running = new Set<Promise<void>>();
  const send = async (job: Job<OutgoingMail>) => {
    try {
      await deps.transport.send(job.data);
    } catch (err) {
      // What BullMQ keeps (the failed reason operators read) and logs is the redacted reason; a refusal for good
      // ends the job at once.
      const failure = describeDeliveryFailure(err);
      throw failure.permanent ? new UnrecoverableError(failure.reason) : new Error(failure.reason);
    }
    deps.logger.info('mail.sent', {
      reference: job.data.reference,
      kind: job.data.kind,
      attempt: job.attemptsMade + 1,
    });
    await reportOutcome(deps, job.data, 'sent');
  };
  const worker = new Worker<OutgoingMail>(
    QUEUE,
    (job: Job<OutgoingMail>) => {
      const sending = send(job).finally(() => running.delete(sending));
      running.add(sending);
      return sending;
    },
    {
      connection,
      prefix,
      concurrency: 5,
      // A message whose node died mid-send is sent again by another node once its claim lapses.
      lockDuration: (deps.claimSeconds ?? 30) * 1000,
      stalledInterval: (deps.claimSeconds ?? 30) * 1000,
      settings: { backoffStrategy: (attemptsMade: number) => retryDelay(deps.retry, attemptsMade) },
    },
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    const permanent = err instanceof UnrecoverableError;
    const final = permanent || job.attemptsMade >= deps.retry.attempts;
    const line = { reference: job.data.reference, kind: job.data.kind, attempt: job.attemptsMade, error: err.message };
    if (final) {
      deps.logger.error('mail.failed', { ...line, permanent });
      void reportOutcome(deps, job.data, 'failed', { reason: err.message, permanent });
    } else {
      deps.logger.warn('mail.retry', line);
      void reportOutcome(deps, job.data, 'retried', { reason: err.message, permanent });
    }
  });
  worker.on('error', reportOnce);
  worker.on('completed', recovered);
  return { worker, connection, running };
}

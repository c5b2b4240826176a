import { randomUUID } from 'node:crypto';
import type { Logger } from './logger.ts';

/**
 * A durable queue of background jobs with retries, for work that must happen after a change and must not be lost:
 * webhook deliveries, back-channel logout tokens. The mail queue (mail/delivery-queue.ts) is the same idea for mail;
 * this one carries any data to one handler. Memory in the embedded default (this file), Redis through BullMQ with
 * the shared stores (stores/redis/bullmq-job-queue.ts).
 */

/** How often a job is tried, and how long it waits between tries (the mail queue's shape). */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface QueuedJob<T> {
  /** What the job is (log lines and the failed list show it); a queue has one handler, which may switch on it. */
  kind: string;
  data: T;
  /** Idempotency: a job with an id the queue has seen within `JOB_IDEMPOTENCY_WINDOW_MS` is dropped. */
  id?: string;
}

/** A job that failed every attempt (or failed for good at once), kept for operators. */
export interface FailedJob<T> {
  /** The queue's id for it, which `retry` takes. */
  id: string;
  kind: string;
  data: T;
  attempts: number;
  lastError: string;
  failedAt: Date;
}

/** Thrown by a handler when trying again cannot help: the job fails at once, without further attempts. */
export class PermanentJobFailure extends Error {
  override name = 'PermanentJobFailure';
}

export interface JobQueue<T> {
  /** Hands a job over; rejects only when the queue itself cannot be reached. */
  enqueue(job: QueuedJob<T>, options?: { delayMs?: number }): Promise<void>;
  /** Jobs that failed every attempt, for operators. */
  failed(): Promise<FailedJob<T>[]>;
  /** Puts a failed job back to be tried again, with a fresh round of attempts; false if no such failed job. */
  retry(id: string): Promise<boolean>;
  /** Jobs waiting (delayed included) or running now. */
  pending(): Promise<number>;
  close(): Promise<void>;
}

/** Does the job; a throw is a failed attempt (retried with backoff), `PermanentJobFailure` a failure for good. */
export type JobHandler<T> = (job: QueuedJob<T> & { attempt: number }) => Promise<void>;

/** Told once when a job has failed for good (every attempt, or a permanent failure): audit it, alert on it. */
export type JobFailureReport<T> = (job: FailedJob<T>, error: Error) => Promise<void> | void;

export interface JobQueueOptions<T> {
  /** Names the queue in log lines (`<name>.retry`, `<name>.failed`) and, in Redis, its keys. */
  name: string;
  handler: JobHandler<T>;
  retry: RetryPolicy;
  logger: Logger;
  onFailed?: JobFailureReport<T>;
}

/** How long a queue remembers a job id: longer than any retry of the change that enqueued it. */
export const JOB_IDEMPOTENCY_WINDOW_MS = 7 * 24 * 3600 * 1000;

/** Exponential backoff from `baseDelayMs`, doubling per attempt, capped at `maxDelayMs`. */
export function jobRetryDelay(retry: RetryPolicy, attempt: number): number {
  return Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
}

/** What is kept and logged of a failure: its message, bounded (handlers throw messages without secrets). */
export function failureReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.slice(0, 300);
}

/** Tells `onFailed`; its own failure is logged, never retried as the job (the job is over either way). */
export async function reportFailure<T>(
  options: Pick<JobQueueOptions<T>, 'name' | 'logger' | 'onFailed'>,
  job: FailedJob<T>,
  error: Error,
): Promise<void> {
  try {
    await options.onFailed?.(job, error);
  } catch (err) {
    options.logger.warn(`${options.name}.failure_not_reported`, {
      id: job.id,
      kind: job.kind,
      message: failureReason(err),
    });
  }
}

/**
 * In-process jobs with retries and exponential backoff. Jobs live in memory, so this is the embedded default and the
 * queue of tests on memory stores; a process that stops loses what it held (as its memory stores do).
 */
export function createMemoryJobQueue<T>(options: JobQueueOptions<T>): JobQueue<T> {
  const { name, logger, retry } = options;
  const timers = new Set<NodeJS.Timeout>();
  // Failed jobs by id, with the job as it was handed over (to try it again as it was).
  const failed = new Map<string, { record: FailedJob<T>; job: QueuedJob<T> }>();
  // Ids handed over, with when; pruned as they age out of the window (insertion order is time order).
  const seen = new Map<string, number>();
  let inFlight = 0;
  let closed = false;
  // Attempts running now, which `close` lets finish.
  const running = new Set<Promise<void>>();

  const later = (delayMs: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, delayMs);
    timers.add(timer);
  };

  const attempt = (id: string, job: QueuedJob<T>, n: number): Promise<void> => {
    const run = attemptOnce(id, job, n).finally(() => running.delete(run));
    running.add(run);
    return run;
  };

  const attemptOnce = async (id: string, job: QueuedJob<T>, n: number): Promise<void> => {
    if (closed) return;
    inFlight += 1;
    try {
      await options.handler({ ...job, attempt: n });
    } catch (err) {
      if (closed) return;
      const error = err instanceof Error ? err : new Error(String(err));
      const permanent = error instanceof PermanentJobFailure;
      const line = { id, kind: job.kind, attempt: n, error: failureReason(error) };
      if (permanent || n >= retry.attempts) {
        const record: FailedJob<T> = {
          id,
          kind: job.kind,
          data: job.data,
          attempts: n,
          lastError: failureReason(error),
          failedAt: new Date(),
        };
        failed.set(id, { record, job });
        logger.error(`${name}.failed`, { ...line, permanent });
        await reportFailure(options, record, error);
        return;
      }
      const delayMs = jobRetryDelay(retry, n);
      logger.warn(`${name}.retry`, { ...line, delayMs });
      later(delayMs, () => void attempt(id, job, n + 1));
    } finally {
      inFlight -= 1;
    }
  };

  return {
    async enqueue(job, enqueueOptions) {
      if (closed) return;
      if (job.id) {
        const now = Date.now();
        for (const [id, at] of seen) {
          if (now - at < JOB_IDEMPOTENCY_WINDOW_MS) break;
          seen.delete(id);
        }
        if (seen.has(job.id)) return;
        seen.set(job.id, now);
      }
      const id = job.id ?? randomUUID();
      const copy = { kind: job.kind, data: structuredClone(job.data), ...(job.id ? { id: job.id } : {}) };
      later(enqueueOptions?.delayMs ?? 0, () => void attempt(id, copy, 1));
    },
    failed: async () => [...failed.values()].map(({ record }) => ({ ...record, data: structuredClone(record.data) })),
    async retry(id) {
      const entry = failed.get(id);
      if (!entry || closed) return false;
      failed.delete(id);
      later(0, () => void attempt(id, entry.job, 1));
      return true;
    },
    pending: async () => timers.size + inFlight,
    // Takes no new job and runs no further attempt; the attempts running now finish first.
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...running]);
    },
  };
}

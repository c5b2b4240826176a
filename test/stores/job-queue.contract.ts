import { afterEach, describe, expect, it } from '@jest/globals';
import {
  PermanentJobFailure,
  type FailedJob,
  type JobHandler,
  type JobQueue,
  type RetryPolicy,
} from '../../src/shared/job-queue.ts';
import type { Logger } from '../../src/shared/logger.ts';
import { waitUntil } from '../support/wait.ts';

export interface JobQueueFactoryOptions<T> {
  name: string;
  handler: JobHandler<T>;
  retry: RetryPolicy;
  logger: Logger;
  onFailed?: (job: FailedJob<T>, error: Error) => void;
}

/** Log lines as [level, event, fields]. */
export function recordingLogger() {
  const lines: [string, string, Record<string, unknown> | undefined][] = [];
  const logger: Logger = {
    info: (event, fields) => void lines.push(['info', event, fields]),
    warn: (event, fields) => void lines.push(['warn', event, fields]),
    error: (event, fields) => void lines.push(['error', event, fields]),
  };
  return { lines, logger };
}

/**
 * What every job queue does (shared/job-queue.ts), with real time and short delays: runs each job, retries failures
 * with backoff until the last attempt, keeps and reports what failed for good, takes it back on `retry`, and drops
 * a job whose id it has seen.
 */
export function jobQueueContract(label: string, make: <T>(options: JobQueueFactoryOptions<T>) => Promise<JobQueue<T>>) {
  describe(`job queue (${label})`, () => {
    const policy: RetryPolicy = { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 };
    const open: JobQueue<unknown>[] = [];
    const queueFor = async <T>(handler: JobHandler<T>, extra: Partial<JobQueueFactoryOptions<T>> = {}) => {
      const { lines, logger } = recordingLogger();
      const reported: [FailedJob<T>, string][] = [];
      const queue = await make<T>({
        name: `test-${Math.random().toString(36).slice(2, 8)}`,
        handler,
        retry: policy,
        logger,
        onFailed: (job, error) => void reported.push([job, error.message]),
        ...extra,
      });
      open.push(queue as JobQueue<unknown>);
      return { queue, lines, reported };
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((queue) => queue.close()));
    });

    it('runs a job with its kind, data and attempt number, and then has nothing pending', async () => {
      const seen: unknown[] = [];
      const { queue } = await queueFor<{ n: number }>(async (job) => void seen.push(job));
      await queue.enqueue({ kind: 'greet', data: { n: 1 } });
      await waitUntil(() => seen.length === 1, 10_000, 'job run');
      expect(seen[0]).toEqual({ kind: 'greet', data: { n: 1 }, attempt: 1 });
      await waitUntil(async () => (await queue.pending()) === 0, 10_000, 'queue empty');
    });

    it('retries a failing job with growing delays, and it succeeds on a later attempt', async () => {
      const at: number[] = [];
      const { queue, lines, reported } = await queueFor<string>(async (job) => {
        at.push(Date.now());
        if (job.attempt < 3) throw new Error(`down ${job.attempt}`);
      });
      await queue.enqueue({ kind: 'flaky', data: 'x' });
      await waitUntil(() => at.length === 3, 10_000, 'third attempt');
      expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(45);
      expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(95);
      await waitUntil(async () => (await queue.pending()) === 0, 10_000, 'queue empty');
      expect(await queue.failed()).toEqual([]);
      expect(reported).toEqual([]);
      const retries = lines.filter(([, event]) => event.endsWith('.retry'));
      expect(retries.map(([level, , fields]) => [level, fields?.attempt, fields?.error])).toEqual([
        ['warn', 1, 'down 1'],
        ['warn', 2, 'down 2'],
      ]);
    });

    it('keeps a job that failed every attempt, reports it once, and takes it back on retry', async () => {
      let healthy = false;
      const runs: number[] = [];
      const { queue, lines, reported } = await queueFor<{ to: string }>(async (job) => {
        runs.push(job.attempt);
        if (!healthy) throw new Error('receiver down');
      });
      await queue.enqueue({ kind: 'deliver', data: { to: 'a' } });
      await waitUntil(async () => (await queue.failed()).length === 1, 10_000, 'job failed');
      expect(runs).toEqual([1, 2, 3]);
      const [failed] = await queue.failed();
      expect(failed).toMatchObject({ kind: 'deliver', data: { to: 'a' }, attempts: 3, lastError: 'receiver down' });
      expect(failed!.failedAt).toBeInstanceOf(Date);
      await waitUntil(() => reported.length === 1, 10_000, 'failure reported');
      expect(reported[0]![0]).toMatchObject({ id: failed!.id, kind: 'deliver', attempts: 3 });
      expect(reported[0]![1]).toBe('receiver down');
      expect(lines.filter(([, event]) => event.endsWith('.failed')).map(([level]) => level)).toEqual(['error']);

      healthy = true;
      expect(await queue.retry('no-such-job')).toBe(false);
      expect(await queue.retry(failed!.id)).toBe(true);
      await waitUntil(() => runs.length === 4, 10_000, 'retried job run');
      expect(runs[3]).toBe(1);
      await waitUntil(async () => (await queue.failed()).length === 0, 10_000, 'failed list emptied');
      expect(await queue.retry(failed!.id)).toBe(false);
    });

    it('stops at once on a permanent failure', async () => {
      const runs: number[] = [];
      const { queue, reported } = await queueFor<null>(async (job) => {
        runs.push(job.attempt);
        throw new PermanentJobFailure('gone for good');
      });
      await queue.enqueue({ kind: 'once', data: null });
      await waitUntil(() => reported.length === 1, 10_000, 'failure reported');
      expect(runs).toEqual([1]);
      expect((await queue.failed()).map((f) => [f.attempts, f.lastError])).toEqual([[1, 'gone for good']]);
    });

    it('runs a job with an id it has seen once, and jobs without an id every time', async () => {
      const seen: string[] = [];
      const { queue } = await queueFor<string>(async (job) => void seen.push(job.data));
      await queue.enqueue({ kind: 'k', data: 'a', id: 'event-1' });
      await queue.enqueue({ kind: 'k', data: 'b', id: 'event-1' });
      await queue.enqueue({ kind: 'k', data: 'c', id: 'event-2' });
      await queue.enqueue({ kind: 'k', data: 'd' });
      await queue.enqueue({ kind: 'k', data: 'd' });
      await waitUntil(() => seen.length === 4, 10_000, 'jobs run');
      await waitUntil(async () => (await queue.pending()) === 0, 10_000, 'queue empty');
      // Handed over again after it ran: still within the window, still dropped.
      await queue.enqueue({ kind: 'k', data: 'e', id: 'event-1' });
      await waitUntil(async () => (await queue.pending()) === 0, 10_000, 'queue empty');
      expect(seen.sort()).toEqual(['a', 'c', 'd', 'd']);
    });

    it('holds a delayed job back for its delay, and counts it as pending', async () => {
      const at: number[] = [];
      const { queue } = await queueFor<null>(async () => void at.push(Date.now()));
      const start = Date.now();
      await queue.enqueue({ kind: 'later', data: null }, { delayMs: 300 });
      expect(await queue.pending()).toBe(1);
      await waitUntil(() => at.length === 1, 10_000, 'delayed job run');
      expect(at[0]! - start).toBeGreaterThanOrEqual(290);
    });

    it('counts a running job as pending', async () => {
      let finish!: () => void;
      let started = false;
      const { queue } = await queueFor<null>(
        () =>
          new Promise<void>((resolve) => {
            started = true;
            finish = resolve;
          }),
      );
      await queue.enqueue({ kind: 'slow', data: null });
      await waitUntil(() => started, 10_000, 'job started');
      expect(await queue.pending()).toBe(1);
      finish();
      await waitUntil(async () => (await queue.pending()) === 0, 10_000, 'queue empty');
    });
  });
}

import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createMemoryJobQueue, jobRetryDelay, type RetryPolicy } from '../../src/shared/job-queue.ts';
import { recordingLogger } from '../stores/job-queue.contract.ts';

describe('job retry delays', () => {
  it('start at the base delay and double per attempt, up to the cap', () => {
    const policy: RetryPolicy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 6, 10].map((n) => jobRetryDelay(policy, n))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });
});

describe('the in-process job queue, by the clock', () => {
  const policy: RetryPolicy = { attempts: 4, baseDelayMs: 1000, maxDelayMs: 3000 };
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-15T10:00:00Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('tries again after 1 s, 2 s and 3 s (capped), then fails for good and says so with the queue name', async () => {
    const at: number[] = [];
    const { lines, logger } = recordingLogger();
    const queue = createMemoryJobQueue<string>({
      name: 'webhooks',
      retry: policy,
      logger,
      handler: async () => {
        at.push(Date.now());
        throw new Error('503 from receiver');
      },
    });
    const start = Date.now();
    await queue.enqueue({ kind: 'drain', data: 's1' });
    await jest.advanceTimersByTimeAsync(60_000);
    expect(at.map((t) => t - start)).toEqual([0, 1000, 3000, 6000]);
    expect(lines.map(([level, event, fields]) => [level, event, fields?.delayMs])).toEqual([
      ['warn', 'webhooks.retry', 1000],
      ['warn', 'webhooks.retry', 2000],
      ['warn', 'webhooks.retry', 3000],
      ['error', 'webhooks.failed', undefined],
    ]);
    expect((await queue.failed()).map((f) => f.failedAt)).toEqual([new Date('2026-01-15T10:00:06Z')]);
    await queue.close();
  });

  it('runs nothing more once closed, neither waiting retries nor delayed jobs', async () => {
    let runs = 0;
    const queue = createMemoryJobQueue<null>({
      name: 'q',
      retry: policy,
      logger: recordingLogger().logger,
      handler: async () => {
        runs += 1;
        throw new Error('x');
      },
    });
    await queue.enqueue({ kind: 'a', data: null });
    await queue.enqueue({ kind: 'b', data: null }, { delayMs: 5000 });
    await jest.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    await queue.close();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(runs).toBe(1);
    expect(await queue.pending()).toBe(0);
  });

  it('lets the job running at the close finish before the close resolves', async () => {
    let finish!: () => void;
    const done: string[] = [];
    const queue = createMemoryJobQueue<null>({
      name: 'q',
      retry: policy,
      logger: recordingLogger().logger,
      handler: (job) =>
        new Promise<void>((resolve) => {
          finish = () => {
            done.push(job.kind);
            resolve();
          };
        }),
    });
    await queue.enqueue({ kind: 'running', data: null });
    await jest.advanceTimersByTimeAsync(0);
    let closed = false;
    const closing = queue.close().then(() => (closed = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(closed).toBe(false);
    finish();
    await closing;
    expect(done).toEqual(['running']);
  });

  it('gives the handler its own copy of the data', async () => {
    const data = { list: [1] };
    let seen: unknown;
    const queue = createMemoryJobQueue<typeof data>({
      name: 'q',
      retry: policy,
      logger: recordingLogger().logger,
      handler: async (job) => void (seen = job.data),
    });
    await queue.enqueue({ kind: 'a', data });
    data.list.push(2);
    await jest.advanceTimersByTimeAsync(0);
    expect(seen).toEqual({ list: [1] });
  });
});

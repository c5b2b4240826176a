import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { loadConfig } from '../../src/config/load.ts';
import {
  createMemoryDeliveryQueue,
  IDEMPOTENCY_WINDOW_MS,
  retryDelay,
  type RetryPolicy,
} from '../../src/mail/delivery-queue.ts';
import type { DeliveryOutcome, OutgoingMail } from '../../src/mail/outgoing.ts';
import { describeDeliveryFailure } from '../../src/mail/smtp-failure.ts';

describe('retry delays', () => {
  const policy: RetryPolicy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };

  it('start at the base delay and double per attempt, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map((n) => retryDelay(policy, n))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('keep trying for about a day with the default policy, as long as a link lives', () => {
    const { retry } = loadConfig({}).mail;
    expect(retryDelay(retry, 1)).toBe(2000);
    expect(retryDelay(retry, retry.attempts - 1)).toBe(10 * 60_000);
    let total = 0;
    for (let n = 1; n < retry.attempts; n += 1) total += retryDelay(retry, n);
    expect(total / 3_600_000).toBeGreaterThan(20);
    expect(total / 3_600_000).toBeLessThan(28);
  });
});

describe('what a failed attempt means', () => {
  it('gives up on a 5xx refusal of this message, and retries anything about the server or the connection', () => {
    const refused = (code: string, responseCode?: number) =>
      describeDeliveryFailure(Object.assign(new Error('550 <ann@example.com>: no such user'), { code, responseCode }));
    expect(refused('EENVELOPE', 550).permanent).toBe(true);
    expect(refused('EMESSAGE', 554).permanent).toBe(true);
    expect(refused('EENVELOPE', 450).permanent).toBe(false);
    expect(refused('EAUTH', 535).permanent).toBe(false);
    expect(refused('ECONNECTION', 554).permanent).toBe(false);
    expect(refused('ETIMEDOUT').permanent).toBe(false);
  });

  it('names the failure without any email address, with its code in front', () => {
    const failure = describeDeliveryFailure(
      Object.assign(new Error('550 <ann@example.com>: Recipient address rejected (from bob@example.org)'), {
        code: 'EENVELOPE',
        responseCode: 550,
      }),
    );
    expect(failure.reason).toBe('EENVELOPE: 550 <[address]>: Recipient address rejected (from [address])');
    expect(describeDeliveryFailure(new Error('x'.repeat(500))).reason).toHaveLength(300);
  });
});

describe('the in-process delivery queue', () => {
  const policy: RetryPolicy = { attempts: 4, baseDelayMs: 1000, maxDelayMs: 3000 };
  const mail = (id?: string): OutgoingMail => ({
    to: 'ann@example.com',
    subject: 'Hello',
    html: '<p>Hello</p>',
    text: 'Hello',
    kind: 'association-notice',
    reference: 'AAAA-BBBB-CCCC',
    ...(id ? { id } : {}),
  });

  /** A queue whose transport fails as `failures` says, attempt by attempt (undefined: accepted). */
  function queueWith(failures: (Error | undefined)[], onOutcome?: DeliveryOutcome) {
    const attempts: number[] = [];
    const logs: [string, string, Record<string, unknown> | undefined][] = [];
    const outcomes: [string, boolean | undefined][] = [];
    const queue = createMemoryDeliveryQueue({
      transport: {
        send: async () => {
          attempts.push(Date.now());
          const failure = failures[attempts.length - 1];
          if (failure) throw failure;
        },
      },
      logger: {
        info: (event, fields) => void logs.push(['info', event, fields]),
        warn: (event, fields) => void logs.push(['warn', event, fields]),
        error: (event, fields) => void logs.push(['error', event, fields]),
      },
      retry: policy,
      onOutcome:
        onOutcome ??
        (async (_mail, outcome, failure) => {
          outcomes.push([outcome, failure?.permanent]);
        }),
    });
    return { queue, attempts, logs, outcomes };
  }
  const timeout = () => Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' });
  const rejected = () => Object.assign(new Error('550 no such user'), { code: 'EENVELOPE', responseCode: 550 });

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-15T10:00:00Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('retries a failed attempt after the policy delay, telling each retry and the outcome once it is sent', async () => {
    const { queue, attempts, logs, outcomes } = queueWith([timeout(), timeout()]);
    const start = Date.now();
    await queue.enqueue(mail());
    await jest.advanceTimersByTimeAsync(0);
    expect(attempts).toHaveLength(1);
    expect(await queue.pending()).toBe(1);
    await jest.advanceTimersByTimeAsync(999);
    expect(attempts).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(attempts).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(2000);
    expect(attempts.map((at) => at - start)).toEqual([0, 1000, 3000]);
    expect(outcomes).toEqual([
      ['retried', false],
      ['retried', false],
      ['sent', undefined],
    ]);
    expect(await queue.pending()).toBe(0);
    expect(logs.map(([level, event, fields]) => [level, event, fields?.attempt])).toEqual([
      ['warn', 'mail.retry', 1],
      ['warn', 'mail.retry', 2],
      ['info', 'mail.sent', 3],
    ]);
    expect(await queue.failed()).toEqual([]);
  });

  it('gives up after the last attempt and keeps the message for operators', async () => {
    const { queue, attempts, outcomes } = queueWith([timeout(), timeout(), timeout(), timeout(), undefined]);
    await queue.enqueue(mail());
    await jest.advanceTimersByTimeAsync(60_000);
    expect(attempts).toHaveLength(4);
    expect(outcomes).toEqual([
      ['retried', false],
      ['retried', false],
      ['retried', false],
      ['failed', false],
    ]);
    expect(await queue.failedCount()).toBe(1);
    expect(await queue.failed()).toEqual([
      {
        id: expect.any(String),
        reference: 'AAAA-BBBB-CCCC',
        kind: 'association-notice',
        attempts: 4,
        lastError: 'ETIMEDOUT: Connection timeout',
        failedAt: new Date('2026-01-15T10:00:06Z'),
      },
    ]);
    expect(await queue.pending()).toBe(0);
  });

  it('gives up at once on a permanent refusal', async () => {
    const { queue, attempts, outcomes } = queueWith([rejected(), undefined]);
    await queue.enqueue(mail());
    await jest.advanceTimersByTimeAsync(60_000);
    expect(attempts).toHaveLength(1);
    expect(outcomes).toEqual([['failed', true]]);
    expect((await queue.failed()).map((f) => f.attempts)).toEqual([1]);
  });

  it('delivers a message handed over again with the same id once, within the idempotency window', async () => {
    const { queue, attempts } = queueWith([]);
    await queue.enqueue(mail('notice-1'));
    await queue.enqueue(mail('notice-1'));
    await queue.enqueue(mail('notice-2'));
    await queue.enqueue(mail());
    await queue.enqueue(mail());
    await jest.advanceTimersByTimeAsync(0);
    expect(attempts).toHaveLength(4);
    jest.setSystemTime(Date.now() + IDEMPOTENCY_WINDOW_MS - 1);
    await queue.enqueue(mail('notice-1'));
    await jest.advanceTimersByTimeAsync(0);
    expect(attempts).toHaveLength(4);
    jest.setSystemTime(Date.now() + 1);
    await queue.enqueue(mail('notice-1'));
    await jest.advanceTimersByTimeAsync(0);
    expect(attempts).toHaveLength(5);
  });

  it('logs an outcome it could not record, and does not send the message again', async () => {
    const { queue, attempts, logs } = queueWith([], async () => {
      throw new Error('store down');
    });
    await queue.enqueue(mail());
    await jest.advanceTimersByTimeAsync(60_000);
    expect(attempts).toHaveLength(1);
    expect(logs.map(([level, event]) => [level, event])).toEqual([
      ['info', 'mail.sent'],
      ['warn', 'mail.outcome_not_recorded'],
    ]);
  });

  it('counts a message being sent as pending', async () => {
    let finish!: () => void;
    const queue = createMemoryDeliveryQueue({
      transport: { send: () => new Promise<void>((resolve) => (finish = resolve)) },
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      retry: policy,
    });
    await queue.enqueue(mail());
    expect(await queue.pending()).toBe(1);
    finish();
    await jest.advanceTimersByTimeAsync(0);
    expect(await queue.pending()).toBe(0);
  });

  it('finishes the send running at the close, and stops retrying, also a message whose attempt fails after the close', async () => {
    let fail!: (err: Error) => void;
    let sends = 0;
    const queue = createMemoryDeliveryQueue({
      transport: {
        send: () => {
          sends += 1;
          return new Promise<void>((_resolve, reject) => (fail = reject));
        },
      },
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      retry: policy,
    });
    await queue.enqueue(mail());
    let closed = false;
    const closing = queue.close().then(() => (closed = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(closed).toBe(false);
    fail(timeout());
    await closing;
    await jest.advanceTimersByTimeAsync(60_000);
    expect(sends).toBe(1);
  });

  it('stops retrying once closed', async () => {
    const { queue, attempts } = queueWith([timeout(), timeout()]);
    await queue.enqueue(mail());
    await jest.advanceTimersByTimeAsync(0);
    await queue.close();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(attempts).toHaveLength(1);
    expect(await queue.pending()).toBe(0);
  });
});

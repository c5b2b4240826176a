import { randomUUID } from 'node:crypto';
import type { Logger } from '../shared/logger.ts';
import type { DeliveryOutcome, MailTransport, OutgoingMail } from './outgoing.ts';
import { describeDeliveryFailure, type DeliveryFailure } from './smtp-failure.ts';

/** How long the queue remembers a message id (OutgoingMail.id), longer than any retry of the change that sent it. */
export const IDEMPOTENCY_WINDOW_MS = 7 * 24 * 3600 * 1000;

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface FailedDelivery {
  /** What `requeue` takes: the message's own id (OutgoingMail.id) where it has one, else the queue's id for it. */
  id: string;
  reference: string;
  kind: string;
  attempts: number;
  lastError: string;
  failedAt: Date;
}

/**
 * Where rendered mail waits for delivery: the request path only enqueues. Memory in the embedded default
 * (this file), Redis through BullMQ in production (bullmq-queue.ts).
 */
export interface DeliveryQueue {
  /**
   * Hands a message to the queue; rejects only when the queue itself cannot be reached. A message with an `id` the
   * queue has seen within `IDEMPOTENCY_WINDOW_MS` is dropped: it was handed over already.
   */
  enqueue(mail: OutgoingMail): Promise<void>;
  /** Messages that failed every attempt, for operators. */
  failed(): Promise<FailedDelivery[]>;
  /** Puts a failed message back to be sent, with a fresh round of attempts; false if no such failed message. */
  requeue(id: string): Promise<boolean>;
  /** Messages waiting for a retry or being sent now. */
  pending(): Promise<number>;
  /** How many messages `failed()` would list, without reading them (the metrics read it at every scrape). */
  failedCount(): Promise<number>;
  close(): Promise<void>;
}

/**
 * In-process delivery with retries and exponential backoff: the request path only enqueues. A message that
 * fails every attempt is logged with its reference and kept in `failed()` for operators. Messages live in memory,
 * so this is the embedded default; production uses a Redis-backed queue.
 */
export function createMemoryDeliveryQueue(deps: {
  transport: MailTransport;
  logger: Logger;
  retry: RetryPolicy;
  onOutcome?: DeliveryOutcome;
}): DeliveryQueue {
  const timers = new Set<NodeJS.Timeout>();
  // Failed messages by id, with the message itself (to send it again as it was).
  const failed = new Map<string, { record: FailedDelivery; mail: OutgoingMail }>();
  // Ids handed over, with when; pruned as they age out of the window (insertion order is time order).
  const seen = new Map<string, number>();
  let inFlight = 0;
  let closed = false;
  // Sends running now, which `close` lets finish.
  const running = new Set<Promise<void>>();

  const delayFor = (attempt: number) => retryDelay(deps.retry, attempt);

  const attempt = (mail: OutgoingMail, n: number): Promise<void> => {
    const run = attemptOnce(mail, n).finally(() => running.delete(run));
    running.add(run);
    return run;
  };

  const attemptOnce = async (mail: OutgoingMail, n: number): Promise<void> => {
    if (closed) return;
    inFlight += 1;
    try {
      await deps.transport.send(mail);
      deps.logger.info('mail.sent', { reference: mail.reference, kind: mail.kind, attempt: n });
      await reportOutcome(deps, mail, 'sent');
    } catch (err) {
      const failure = describeDeliveryFailure(err);
      if (failure.permanent || n >= deps.retry.attempts) {
        const id = mail.id ?? randomUUID();
        failed.set(id, {
          record: {
            id,
            reference: mail.reference,
            kind: mail.kind,
            attempts: n,
            lastError: failure.reason,
            failedAt: new Date(),
          },
          mail,
        });
        deps.logger.error('mail.failed', {
          reference: mail.reference,
          kind: mail.kind,
          attempts: n,
          permanent: failure.permanent,
          error: failure.reason,
        });
        await reportOutcome(deps, mail, 'failed', failure);
        return;
      }
      if (closed) return;
      const delayMs = delayFor(n);
      deps.logger.warn('mail.retry', {
        reference: mail.reference,
        kind: mail.kind,
        attempt: n,
        delayMs,
        error: failure.reason,
      });
      const timer = setTimeout(() => {
        timers.delete(timer);
        void attempt(mail, n + 1);
      }, delayMs);
      timers.add(timer);
      await reportOutcome(deps, mail, 'retried', failure);
    } finally {
      inFlight -= 1;
    }
  };

  return {
    async enqueue(mail) {
      if (mail.id) {
        const now = Date.now();
        for (const [id, at] of seen) {
          if (now - at < IDEMPOTENCY_WINDOW_MS) break;
          seen.delete(id);
        }
        if (seen.has(mail.id)) return;
        seen.set(mail.id, now);
      }
      void attempt(mail, 1);
    },
    failed: async () => [...failed.values()].map(({ record }) => ({ ...record })),
    async requeue(id) {
      const entry = failed.get(id);
      if (!entry || closed) return false;
      failed.delete(id);
      void attempt(entry.mail, 1);
      return true;
    },
    pending: async () => timers.size + inFlight,
    failedCount: async () => failed.size,
    // Takes no new message and makes no further attempt; the sends running now finish first.
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...running]);
      deps.transport.close?.();
    },
  };
}

/** Tells `onOutcome`; its failure is logged, never retried as a delivery (the message itself went, or never will). */
export async function reportOutcome(
  deps: { logger: Logger; onOutcome?: DeliveryOutcome },
  mail: OutgoingMail,
  outcome: 'sent' | 'retried' | 'failed',
  failure?: DeliveryFailure,
): Promise<void> {
  try {
    await deps.onOutcome?.(mail, outcome, failure);
  } catch (err) {
    deps.logger.warn('mail.outcome_not_recorded', {
      reference: mail.reference,
      outcome,
      message: (err as Error).message,
    });
  }
}

/** Exponential backoff from `baseDelayMs`, doubling per attempt, capped at `maxDelayMs`. */
export function retryDelay(retry: RetryPolicy, attempt: number): number {
  return Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
}

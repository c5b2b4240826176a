import type { Logger } from '../shared/logger.ts';
import type { MailTransport, OutgoingMail } from './outgoing.ts';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface FailedDelivery {
  reference: string;
  kind: string;
  attempts: number;
  lastError: string;
  failedAt: Date;
}

/**
 * In-process delivery with retries and exponential backoff: the request path only enqueues. A message that
 * fails every attempt is logged with its reference and kept in `failed()` for operators. Messages live in memory,
 * so this is the embedded default; production uses a Redis-backed queue.
 */
export function createDeliveryQueue(deps: { transport: MailTransport; logger: Logger; retry: RetryPolicy }) {
  const timers = new Set<NodeJS.Timeout>();
  const failed: FailedDelivery[] = [];
  let inFlight = 0;
  let closed = false;

  const delayFor = (attempt: number) => Math.min(deps.retry.maxDelayMs, deps.retry.baseDelayMs * 2 ** (attempt - 1));

  const attempt = async (mail: OutgoingMail, n: number): Promise<void> => {
    if (closed) return;
    inFlight += 1;
    try {
      await deps.transport.send(mail);
      deps.logger.info('mail.sent', { reference: mail.reference, kind: mail.kind, attempt: n });
    } catch (err) {
      const message = (err as Error).message;
      if (n >= deps.retry.attempts) {
        failed.push({ reference: mail.reference, kind: mail.kind, attempts: n, lastError: message, failedAt: new Date() });
        deps.logger.error('mail.failed', { reference: mail.reference, kind: mail.kind, attempts: n, error: message });
        return;
      }
      const delayMs = delayFor(n);
      deps.logger.warn('mail.retry', { reference: mail.reference, kind: mail.kind, attempt: n, delayMs, error: message });
      const timer = setTimeout(() => {
        timers.delete(timer);
        void attempt(mail, n + 1);
      }, delayMs);
      timers.add(timer);
    } finally {
      inFlight -= 1;
    }
  };

  return {
    enqueue(mail: OutgoingMail): void {
      void attempt(mail, 1);
    },
    failed: (): readonly FailedDelivery[] => failed,
    /** Messages waiting for a retry or being sent now. */
    pending: () => timers.size + inFlight,
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      deps.transport.close?.();
    },
  };
}

export type DeliveryQueue = ReturnType<typeof createDeliveryQueue>;

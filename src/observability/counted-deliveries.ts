import { PermanentJobFailure, type JobHandler, type RetryPolicy } from '../shared/job-queue.ts';
import type { Metrics } from '../shared/metrics.ts';

/**
 * A job handler whose every attempt is one delivery counted by outcome: delivered, retried (another attempt is
 * scheduled) or failed (the last attempt, or a failure trying again cannot help). For queues where one job is one
 * delivery, as a back-channel logout token to one portal is; webhooks count theirs per delivery in their drain.
 */
export function countedDeliveries<T>(
  channel: 'webhook' | 'backchannel',
  handler: JobHandler<T>,
  retry: RetryPolicy,
  metrics: Metrics,
): JobHandler<T> {
  if (!metrics.enabled) return handler;
  return async (job) => {
    try {
      await handler(job);
    } catch (err) {
      const final = err instanceof PermanentJobFailure || job.attempt >= retry.attempts;
      metrics.delivery(channel, final ? 'failed' : 'retried');
      throw err;
    }
    metrics.delivery(channel, 'delivered');
  };
}

import type { AuditLog } from '../audit/audit-log.ts';
import type { Config } from '../config/schema.ts';
import type { BackgroundTasks } from '../shared/background-tasks.ts';
import type { Clock } from '../shared/clock.ts';
import type { JobHandler, JobQueue, RetryPolicy } from '../shared/job-queue.ts';
import type { Logger } from '../shared/logger.ts';
import type { Metrics } from '../shared/metrics.ts';
import { drainSubscription } from './drain-deliveries.ts';
import type { ManageWebhooksDeps } from './manage-webhooks.ts';
import { wakeDrain, withWebhookEvents } from './publish-events.ts';
import { relayWebhookEvents } from './relay-events.ts';
import { createSubscriptionCache, type DrainJob, type WebhookDeps } from './webhook-deps.ts';
import type { WebhookStore } from './webhook-store.ts';

/**
 * Webhooks wired together once (the composition root chooses the store and the queue): the drain jobs, the audit
 * log that publishes what it records, the outbox relay, and what the administration use cases need.
 */
export function createWebhookEngine(options: {
  config: Config;
  store: WebhookStore;
  /** The job queue for drain jobs, with this handler (memory, or BullMQ with Redis). */
  queue: (handler: JobHandler<DrainJob>, retry: RetryPolicy) => JobQueue<DrainJob>;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  tasks: BackgroundTasks;
  /** Whether this process runs the relay (a command-line process leaves it to the brokers). */
  relay: boolean;
}) {
  const { config, store, clock, logger, tasks } = options;
  const settings = config.webhooks;
  const subscriptions = createSubscriptionCache(store, clock, settings.subscriptionCacheSeconds * 1000);
  // The drain job's own retries are for the store being away mid-drain; a receiver's failures are the delivery's.
  const queue = options.queue((job) => drainSubscription(deps, job.data.subscriptionId), settings.retry);
  const deps: WebhookDeps = {
    store,
    queue,
    subscriptions,
    clock,
    logger,
    metrics: options.metrics,
    retry: settings.retry,
    timeoutMs: settings.timeoutMs,
    refuseInternal: config.env === 'production',
  };
  // The relay reads the audit log itself (what was recorded), not the publishing wrapper around it.
  let recorded: AuditLog | undefined;
  const relayOnce = async () =>
    recorded ? relayWebhookEvents({ ...deps, audit: recorded }, settings.relay.graceSeconds * 1000) : { published: 0 };
  const relay = options.relay
    ? setInterval(
        () => tasks.run('webhooks.relay', async () => void (await relayOnce())),
        settings.relay.intervalSeconds * 1000,
      ).unref()
    : undefined;

  return {
    deps,
    /** One relay run now (the interval runs it on its own). */
    relayOnce,
    /** The audit log, recording as before and publishing what it records (publish-events.ts). */
    publishing(audit: AuditLog): AuditLog {
      recorded = audit;
      return withWebhookEvents(audit, deps, tasks);
    },
    manage(audit: AuditLog): ManageWebhooksDeps {
      return {
        store,
        audit,
        clock,
        subscriptions,
        wake: (id) => wakeDrain(deps, id),
        production: config.env === 'production',
      };
    },
    async close() {
      clearInterval(relay);
      await queue.close();
    },
  };
}

export type WebhookEngine = ReturnType<typeof createWebhookEngine>;

import { z } from 'zod';

/**
 * How the broker is run: how it stops, and the management listener for Prometheus (observability/metrics-server.ts).
 * Spread into the configuration schema (schema.ts).
 */
export const OPERATIONS = {
  /**
   * Stopping on SIGTERM or SIGINT: /readyz answers 503 at once, new connections are still taken for `graceSeconds`
   * (so that a load balancer sees the node not ready before its connections are refused), requests in flight
   * finish, then the background queues finish their current jobs and the stores close.
   */
  shutdown: z
    .object({
      /**
       * The whole stop may take this long [SHUTDOWN_TIMEOUT_SECONDS]; past it, the connections left are cut and the
       * process exits with 1. Keep it below the orchestrator's own limit (Kubernetes: terminationGracePeriodSeconds, 30).
       */
      timeoutSeconds: z.number().positive().default(25),
      /** Not ready, yet still taking connections, this long [SHUTDOWN_GRACE_SECONDS]: a load balancer's probe interval or two. */
      graceSeconds: z.number().min(0).default(3),
    })
    .prefault({}),
  /** Off unless a port is given: a broker without one makes no metrics at all. */
  metrics: z
    .object({
      /** Serve GET /metrics on this port [METRICS_PORT], a listener apart from the public one. Unset: no metrics. */
      port: z.number().int().min(0).max(65535).optional(),
      /**
       * The address it listens on [METRICS_HOST]. All interfaces by default, for a scraper in another container or
       * pod; 127.0.0.1 when the scraper runs beside the broker. Keep the port off the public load balancer either way.
       */
      host: z.string().min(1).default('0.0.0.0'),
    })
    .prefault({}),
};

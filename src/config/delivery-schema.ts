import { z } from 'zod';

/** A retry policy: `attempts` with exponential backoff from `baseDelayMs`, doubling up to `maxDelayMs`. */
const retryPolicy = (attempts: number, baseDelayMs: number, maxDelayMs: number) =>
  z
    .object({
      attempts: z.number().int().min(1).default(attempts),
      baseDelayMs: z.number().int().min(1).default(baseDelayMs),
      maxDelayMs: z.number().int().min(1).default(maxDelayMs),
    })
    .prefault({});

/**
 * The configuration of what the broker does after a change, off the request path: mail, back-channel logout,
 * webhooks, and how long the audit log keeps what happened. Spread into the configuration schema (schema.ts).
 */
export const AFTER_A_CHANGE = {
  mail: z
    .object({
      /** Sender of every email [MAIL_FROM]. */
      from: z.string().default('Profile broker <no-reply@localhost>'),
      /** PRODUCTION. SMTP server, e.g. smtps://user:pass@smtp.example.com [SMTP_URL]. Unset: the development mailbox at /dev/mailbox. */
      smtpUrl: z.string().optional(),
      /**
       * Delivery retries with exponential backoff. The defaults keep trying for about a day (2 s doubling to 10 min,
       * 150 attempts), as long as a link lives; a message that fails every attempt is logged and kept for operators.
       */
      retry: retryPolicy(150, 2000, 10 * 60_000),
      /**
       * The notices' outbox: a notice owed but not yet in the queue (its process died in between) is handed over by
       * the next node to look, every `intervalSeconds`, once `graceSeconds` have passed since its change.
       */
      outbox: z
        .object({
          intervalSeconds: z.number().int().min(1).default(30),
          graceSeconds: z.number().int().min(1).default(60),
        })
        .prefault({}),
      /** Upper bound for one SMTP connection and send, in milliseconds. */
      timeoutMs: z.number().int().min(100).default(10_000),
      /**
       * With Redis: how long a node's claim on a message it is sending lasts without renewal, and how often nodes
       * look for claims that lapsed (their node died mid-send) to send those messages again. Lower hands a dead
       * node's mail over sooner; too low, and a node too busy to renew its claim in time sends a message twice.
       */
      claimSeconds: z.number().int().min(2).default(30),
    })
    .prefault({}),

  /**
   * OIDC Back-Channel Logout: how long the broker keeps trying to tell a portal that listens (its
   * `backchannel_logout_uri`) that a session ended. The defaults keep trying for about a day (1 s doubling to
   * 10 min, 150 attempts); a notice that fails every attempt is audited (`backchannel.delivery_failed`).
   */
  backchannelLogout: z
    .object({
      retry: retryPolicy(150, 1000, 10 * 60_000),
    })
    .prefault({}),

  /** Webhooks (docs/decisions/0018): how events are sent to the endpoints operators subscribe. */
  webhooks: z
    .object({
      /**
       * Per delivery: attempts in a round, with exponential backoff. The defaults keep trying for about a day (5 s
       * doubling to 1 h, 35 attempts); a delivery that fails them all is marked failed, for an operator to retry.
       */
      retry: retryPolicy(35, 5000, 3_600_000),
      /** Upper bound for one attempt (connect, send, answer), in milliseconds; any 2xx answer is success. */
      timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
      /**
       * The outbox relay: every `intervalSeconds`, events recorded but not published (their process died in
       * between) are published, once `graceSeconds` have passed since they happened.
       */
      relay: z
        .object({
          intervalSeconds: z.number().int().min(1).default(30),
          graceSeconds: z.number().int().min(1).default(60),
        })
        .prefault({}),
      /** How long a node trusts its list of subscriptions; another node's new subscription is seen this late. */
      subscriptionCacheSeconds: z.number().int().min(0).max(300).default(5),
    })
    .prefault({}),

  /** The audit log (sign-ins, sign-outs, associations, administration). */
  audit: z
    .object({
      /**
       * How long each event is kept, in days [AUDIT_RETENTION_DAYS]; 0 keeps events for ever. MongoDB removes
       * expired events itself (a TTL index on `expiresAt`); a new value applies to events recorded from then on.
       */
      retentionDays: z.number().int().min(0).max(36_500).default(400),
    })
    .prefault({}),
};

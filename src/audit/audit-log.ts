/**
 * One thing that happened which support or an auditor may need to find later (docs/architecture.md §5: MongoDB in
 * production). Never holds link tokens, secrets or codes: only identifiers, outcomes and reasons.
 */
export interface AuditEvent {
  /** The reference code people read out to support (mails and pages show it); unique. */
  id: string;
  at: Date;
  /** What happened, as `area.verb`: `association.created`, `association.refused`, `association.link_issued`, … */
  action: string;
  outcome: 'success' | 'failure';
  /**
   * Who did it: `person:<upstream>:<subject>` for someone signed in upstream, `admin:<client>` for an admin API
   * caller, `operator:<name>` for the command line, `system` for the broker itself.
   */
  actor: string;
  /** The client IP the request came from, when there was a request. */
  ip?: string;
  /** The id of that request, as its log lines and its `X-Request-Id` answer carry it (http/access-log.ts). */
  requestId?: string;
  organisationId?: string;
  profileId?: string;
  clientId?: string;
  /** Small, flat facts: reasons, counts, masked accounts. */
  details?: Record<string, string | number | boolean>;
}

/** What support looks events up by: each is an exact-match filter, and an index in MongoDB. */
export const AUDIT_LOOKUP_KEYS = ['organisationId', 'profileId', 'clientId', 'actor', 'action'] as const;

export interface AuditFilter {
  organisationId?: string;
  profileId?: string;
  clientId?: string;
  actor?: string;
  action?: string;
  /** Events at or after this time. */
  from?: Date;
  /** Events before this time. */
  to?: Date;
  /** Continue after this event (the last of the previous page): pages never skip or repeat an event. */
  after?: Pick<AuditEvent, 'id' | 'at'>;
  limit: number;
}

/** Append-only: events are recorded and read, newest first, never changed. */
export interface AuditLog {
  /** Idempotent on `event.id`: recording an id again keeps the first event, so a retried step records once. */
  record(event: AuditEvent): Promise<void>;
  query(filter: AuditFilter): Promise<AuditEvent[]>;
  /**
   * Deletes events whose retention has passed, where the store does not do it itself; how many. MongoDB's TTL
   * index does it on its own; the broker calls this now and then for servers without one.
   */
  sweepExpired?(now: Date): Promise<number>;
}

export const personActor = (identity: { upstreamId: string; subject: string }) =>
  `person:${identity.upstreamId}:${identity.subject}`;

/** Whether `event` matches `filter` (the memory store's query, and the definition the Mongo query follows). */
export function matchesFilter(event: AuditEvent, filter: AuditFilter): boolean {
  for (const key of AUDIT_LOOKUP_KEYS) {
    if (filter[key] !== undefined && event[key] !== filter[key]) return false;
  }
  if (filter.from && event.at < filter.from) return false;
  if (filter.to && event.at >= filter.to) return false;
  if (filter.after && compareNewestFirst(event, filter.after) <= 0) return false;
  return true;
}

/** Newest first; events in the same millisecond by id, so the order is total and pages are stable. */
export function compareNewestFirst(a: Pick<AuditEvent, 'id' | 'at'>, b: Pick<AuditEvent, 'id' | 'at'>): number {
  return b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** When an event recorded now expires under a retention of `retentionDays` (0: never). */
export function expiryOf(at: Date, retentionDays: number): Date | undefined {
  return retentionDays > 0 ? new Date(at.getTime() + retentionDays * 24 * 3600 * 1000) : undefined;
}

import { BadRequestError } from '../shared/errors.ts';
import type { AuditEvent, AuditFilter, AuditLog } from './audit-log.ts';

/** The audit log as the admin API and the command line show it. */
export const auditEventView = (e: AuditEvent) => ({
  reference: e.id,
  at: e.at.toISOString(),
  action: e.action,
  outcome: e.outcome,
  actor: e.actor,
  ip: e.ip ?? null,
  request_id: e.requestId ?? null,
  organisation_id: e.organisationId ?? null,
  profile_id: e.profileId ?? null,
  client_id: e.clientId ?? null,
  details: e.details ?? {},
});

/** The paging cursor is the last event's time and reference; opaque to callers. */
const cursorOf = (e: AuditEvent) => Buffer.from(`${e.at.toISOString()}|${e.id}`).toString('base64url');

function parseCursor(cursor: string): Pick<AuditEvent, 'id' | 'at'> {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  if (!id || Number.isNaN(date.getTime()))
    throw new BadRequestError('invalid_input', 'malformed query: after', { fields: 'after' });
  return { id, at: date };
}

export interface AuditQuery extends Omit<AuditFilter, 'from' | 'to' | 'after'> {
  from?: string;
  to?: string;
  /** The `next` of the previous page. */
  after?: string;
}

/** Events matching every given filter, newest first; `next` continues the listing without skipping or repeating. */
export async function queryAudit(audit: AuditLog, query: AuditQuery) {
  const { from, to, after, limit, ...keys } = query;
  const filter: AuditFilter = {
    ...Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined)),
    ...(from ? { from: new Date(from) } : {}),
    ...(to ? { to: new Date(to) } : {}),
    ...(after ? { after: parseCursor(after) } : {}),
    limit: limit + 1,
  };
  const events = await audit.query(filter);
  const shown = events.slice(0, limit);
  return { events: shown.map(auditEventView), next: events.length > limit ? cursorOf(shown[shown.length - 1]!) : null };
}

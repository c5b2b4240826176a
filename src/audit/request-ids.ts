import type { RequestContext } from '../shared/request-context.ts';
import type { AuditLog } from './audit-log.ts';

/**
 * The audit log, recording with each event the id of the request it happened in (when it happened in one and the
 * event does not name one already), so that support can go from an event to the request's log lines.
 */
export function recordingRequestIds(audit: AuditLog, requests: RequestContext): AuditLog {
  return {
    ...audit,
    record(event) {
      const requestId = event.requestId ?? requests.current()?.requestId;
      return audit.record(requestId ? { ...event, requestId } : event);
    },
  };
}

import type { AuditEvent, AuditLog } from '../audit/audit-log.ts';
import type { Metrics } from '../shared/metrics.ts';

/**
 * Sign-ins and association steps are counted as the audit log records them: every one of them is recorded there
 * already, with its portal, upstream and outcome, by the one use case that decides it. Counting at that single
 * point keeps the figures and the audit trail telling the same story, and keeps metrics out of the use cases.
 * An event counts once it is recorded; one whose recording failed is in neither.
 */
export function countingOutcomes(audit: AuditLog, metrics: Metrics): AuditLog {
  if (!metrics.enabled) return audit;
  return {
    ...audit,
    async record(event) {
      await audit.record(event);
      count(event, metrics);
    },
  };
}

function count(event: AuditEvent, metrics: Metrics): void {
  switch (event.action) {
    case 'sign_in.succeeded':
      metrics.signIn(event.details?.single_sign_on === true ? 'single_sign_on' : 'signed_in', {
        client: event.clientId ?? 'unknown',
        upstream: typeof event.details?.upstream === 'string' ? event.details.upstream : 'unknown',
      });
      return;
    case 'sign_in.refused':
      // The actor of a refusal is the person as the upstream knows them: person:<upstream>:<subject>.
      metrics.signIn('refused', {
        client: event.clientId ?? 'unknown',
        upstream: event.actor.split(':')[1] ?? 'unknown',
      });
      return;
    case 'association.link_issued':
      metrics.association('link_issued');
      return;
    case 'association.created':
      metrics.association('redeemed');
      return;
    case 'association.refused':
      metrics.association('refused');
      return;
  }
}

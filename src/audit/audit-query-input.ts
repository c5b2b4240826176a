import { z } from 'zod';
import { pageQuery } from '../shared/page-query.ts';
import type { AuditQuery } from './query-audit.ts';

/** A query of the audit log, as the admin API and the command line take it (snake_case, times in ISO 8601). */
export const auditQuery = z.strictObject({
  organisation_id: z.string().min(1).max(64).optional(),
  profile_id: z.string().min(1).max(64).optional(),
  client_id: z.string().min(1).max(64).optional(),
  actor: z
    .string()
    .min(1)
    .max(300)
    .optional()
    .meta({ description: 'e.g. admin:<client>, person:<upstream>:<sub>, operator:<name>' }),
  action: z.string().min(1).max(100).optional().meta({ description: 'e.g. association.created' }),
  from: z.iso.datetime({ offset: true }).optional().meta({ description: 'At or after' }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: 'Before' }),
  ...pageQuery,
});

/** The query as the use case takes it (queryAudit). */
export function auditQueryOf(q: z.output<typeof auditQuery>): AuditQuery {
  return {
    organisationId: q.organisation_id,
    profileId: q.profile_id,
    clientId: q.client_id,
    actor: q.actor,
    action: q.action,
    from: q.from,
    to: q.to,
    limit: q.limit,
    after: q.after,
  };
}

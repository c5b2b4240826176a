import Router from '@koa/router';
import { z } from 'zod';
import { ADMIN_SCOPES } from '../../admin/scopes.ts';
import { queryAudit } from '../../audit/query-audit.ts';
import type { AuditLog } from '../../audit/audit-log.ts';
import { requireScope } from '../admin-auth.ts';
import { parseInput } from '../validate.ts';
import { pageQuery } from './admin-views.ts';

export const auditQuery = z.strictObject({
  organisation_id: z.string().min(1).max(64).optional(),
  profile_id: z.string().min(1).max(64).optional(),
  client_id: z.string().min(1).max(64).optional(),
  actor: z.string().min(1).max(300).optional(),
  action: z.string().min(1).max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  ...pageQuery,
});

/** /admin/api/v1/audit: the audit log, newest first, a page at a time (scope admin:audit). */
export function adminAuditRoutes(audit: AuditLog): Router {
  const router = new Router({ prefix: '/audit' });
  router.use(requireScope(ADMIN_SCOPES.audit));
  router.get('/events', async (ctx) => {
    const q = parseInput(auditQuery, ctx.query, 'query');
    ctx.body = await queryAudit(audit, {
      organisationId: q.organisation_id,
      profileId: q.profile_id,
      clientId: q.client_id,
      actor: q.actor,
      action: q.action,
      from: q.from,
      to: q.to,
      limit: q.limit,
      after: q.after,
    });
  });
  return router;
}

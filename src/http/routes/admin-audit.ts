import Router from '@koa/router';
import { ADMIN_SCOPES } from '../../admin/scopes.ts';
import type { AdminOperations } from '../../admin/admin-operations.ts';
import { requireScope } from '../admin-auth.ts';
import { parseInput } from '../validate.ts';
import { auditQuery } from '../../audit/audit-query-input.ts';

/** /admin/api/v1/audit: the audit log, newest first, a page at a time (scope admin:audit). */
export function adminAuditRoutes(audit: AdminOperations['audit']): Router {
  const router = new Router({ prefix: '/audit' });
  router.use(requireScope(ADMIN_SCOPES.audit));
  router.get('/events', async (ctx) => {
    const q = parseInput(auditQuery, ctx.query, 'query');
    ctx.body = await audit.query({
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

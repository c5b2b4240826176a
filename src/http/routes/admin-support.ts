import Router from '@koa/router';
import { z } from 'zod';
import { ADMIN_SCOPES } from '../../admin/scopes.ts';
import type { AdminOperations } from '../../admin/admin-operations.ts';
import { actorOf, requireScope } from '../admin-auth.ts';
import { jsonBody } from '../json-body.ts';
import { parseInput } from '../validate.ts';
import { organisationView, profileView } from '../../directory/directory-views.ts';
import { reasonInput } from './admin-views.ts';

const designation = z.strictObject({
  profile_id: z.string().min(1).max(64),
  reason: z.string().trim().min(1).max(500),
});
const invitation = z.strictObject({ client_id: z.string().min(1).max(64).optional() });

/** /admin/api/v1/support: what the support desk does for people who are stuck (scope admin:support). */
export function adminSupportRoutes(deps: Pick<AdminOperations, 'support' | 'directory'>): Router {
  const router = new Router({ prefix: '/support' });
  router.use(requireScope(ADMIN_SCOPES.support));
  router.use(jsonBody);

  router.put('/organisations/:id/administrator', async (ctx) => {
    const input = parseInput(designation, ctx.request.body, 'request');
    const result = await deps.directory.designateAdministrator(
      actorOf(ctx),
      ctx.params.id!,
      input.profile_id,
      input.reason,
    );
    ctx.body = {
      organisation: organisationView({ ...result.organisation, administratorId: result.administrator.id }),
      administrator: profileView(result.administrator),
      previous: result.previous ? profileView(result.previous) : null,
      reference: result.reference ?? null,
    };
  });
  router.get('/profiles/:id/association', async (ctx) => {
    ctx.body = await deps.support.showAssociation(ctx.params.id!);
  });
  router.post('/profiles/:id/unlink', async (ctx) => {
    const { reason } = parseInput(reasonInput, ctx.request.body, 'request');
    ctx.body = await deps.support.unlink(actorOf(ctx), ctx.params.id!, reason);
  });
  router.get('/profiles/:id/links', async (ctx) => {
    ctx.body = { links: await deps.support.listLinks(ctx.params.id!) };
  });
  router.post('/profiles/:id/invitations', async (ctx) => {
    const input = parseInput(invitation, ctx.request.body ?? {}, 'request');
    ctx.status = 201;
    ctx.body = await deps.support.invite(actorOf(ctx), ctx.params.id!, { clientId: input.client_id });
  });
  return router;
}

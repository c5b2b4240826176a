import Router from '@koa/router';
import { z } from 'zod';
import { ADMIN_SCOPES } from '../../admin/scopes.ts';
import type { AdminOperations } from '../../admin/admin-operations.ts';
import { clientInput, toMetadata } from '../../clients/client-input.ts';
import { actorOf, requireScope } from '../admin-auth.ts';
import { jsonBody } from '../json-body.ts';
import { parseInput } from '../validate.ts';

const statusInput = z.strictObject({ reason: z.string().min(1).max(500).optional() });

/** /admin/api/v1/clients: the portals (and admin clients) registered with the broker. */
export function adminClientRoutes(clients: AdminOperations['clients']): Router {
  const router = new Router({ prefix: '/clients' });
  router.use(requireScope(ADMIN_SCOPES.clients));
  router.use(jsonBody);

  router.get('/', async (ctx) => {
    ctx.body = { clients: await clients.list() };
  });
  router.post('/', async (ctx) => {
    const input = parseInput(clientInput, ctx.request.body, 'client');
    ctx.status = 201;
    ctx.body = await clients.register(actorOf(ctx), toMetadata(input));
  });
  router.get('/:id', async (ctx) => {
    ctx.body = await clients.get(ctx.params.id!);
  });
  router.put('/:id', async (ctx) => {
    const { client_id: _ignored, ...input } = parseInput(clientInput, ctx.request.body, 'client');
    ctx.body = await clients.update(actorOf(ctx), ctx.params.id!, toMetadata(input));
  });
  router.delete('/:id', async (ctx) => {
    await clients.remove(actorOf(ctx), ctx.params.id!);
    ctx.status = 204;
  });
  router.post('/:id/disable', async (ctx) => {
    const { reason } = parseInput(statusInput, ctx.request.body ?? {}, 'request');
    ctx.body = await clients.setStatus(actorOf(ctx), ctx.params.id!, 'disabled', reason);
  });
  router.post('/:id/enable', async (ctx) => {
    const { reason } = parseInput(statusInput, ctx.request.body ?? {}, 'request');
    ctx.body = await clients.setStatus(actorOf(ctx), ctx.params.id!, 'active', reason);
  });
  router.post('/:id/secret', async (ctx) => {
    ctx.body = await clients.rotateSecret(actorOf(ctx), ctx.params.id!);
  });
  return router;
}

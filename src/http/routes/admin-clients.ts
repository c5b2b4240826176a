import Router from '@koa/router';
import { z } from 'zod';
import { ADMIN_SCOPES } from '../../admin/scopes.ts';
import {
  createClient,
  deleteClient,
  getClient,
  listClients,
  rotateClientSecret,
  setClientStatus,
  updateClient,
  type ManageClientsDeps,
} from '../../clients/manage-clients.ts';
import { clientInput, toMetadata } from '../../clients/client-input.ts';
import { actorOf, requireScope } from '../admin-auth.ts';
import { jsonBody } from '../json-body.ts';
import { parseInput } from '../validate.ts';

const statusInput = z.strictObject({ reason: z.string().min(1).max(500).optional() });

/** /admin/api/v1/clients: the portals (and admin clients) registered with the broker. */
export function adminClientRoutes(deps: ManageClientsDeps): Router {
  const router = new Router({ prefix: '/clients' });
  router.use(requireScope(ADMIN_SCOPES.clients));
  router.use(jsonBody);

  router.get('/', async (ctx) => {
    ctx.body = { clients: await listClients(deps) };
  });
  router.post('/', async (ctx) => {
    const input = parseInput(clientInput, ctx.request.body, 'client');
    ctx.status = 201;
    ctx.body = await createClient(deps, actorOf(ctx), toMetadata(input));
  });
  router.get('/:id', async (ctx) => {
    ctx.body = await getClient(deps, ctx.params.id!);
  });
  router.put('/:id', async (ctx) => {
    const { client_id: _ignored, ...input } = parseInput(clientInput, ctx.request.body, 'client');
    ctx.body = await updateClient(deps, actorOf(ctx), ctx.params.id!, toMetadata(input));
  });
  router.delete('/:id', async (ctx) => {
    await deleteClient(deps, actorOf(ctx), ctx.params.id!);
    ctx.status = 204;
  });
  router.post('/:id/disable', async (ctx) => {
    const { reason } = parseInput(statusInput, ctx.request.body ?? {}, 'request');
    ctx.body = await setClientStatus(deps, actorOf(ctx), ctx.params.id!, 'disabled', reason);
  });
  router.post('/:id/enable', async (ctx) => {
    const { reason } = parseInput(statusInput, ctx.request.body ?? {}, 'request');
    ctx.body = await setClientStatus(deps, actorOf(ctx), ctx.params.id!, 'active', reason);
  });
  router.post('/:id/secret', async (ctx) => {
    ctx.body = await rotateClientSecret(deps, actorOf(ctx), ctx.params.id!);
  });
  return router;
}

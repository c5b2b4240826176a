import Router from '@koa/router';
import type { ClientMetadata } from 'oidc-provider';
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
import { PROFILE_KINDS } from '../../directory/model.ts';
import { actorOf, requireScope } from '../admin-auth.ts';
import { jsonBody } from '../json-body.ts';
import { parseInput } from '../validate.ts';

const uri = z.string().min(1).max(2000);

/**
 * What an admin may set on a client: the OpenID Connect metadata portals need, and the broker's policy. Anything
 * else is refused by name. oidc-provider's own validation (with the broker's URI rules) runs after this.
 */
export const clientInput = z.strictObject({
  client_id: z
    .string()
    .regex(/^[A-Za-z0-9._-]{3,64}$/, 'letters, digits, dot, dash or underscore, 3 to 64')
    .optional(),
  client_name: z.string().min(1).max(200).optional(),
  redirect_uris: z.array(uri).max(20).optional(),
  post_logout_redirect_uris: z.array(uri).max(20).optional(),
  grant_types: z
    .array(z.enum(['authorization_code', 'refresh_token', 'client_credentials']))
    .min(1)
    .max(3)
    .optional(),
  token_endpoint_auth_method: z.enum(['client_secret_basic', 'client_secret_post', 'none']).optional(),
  scope: z.string().max(500).optional(),
  client_uri: uri.optional(),
  logo_uri: uri.optional(),
  initiate_login_uri: uri.optional(),
  profile_kinds: z.array(z.enum(PROFILE_KINDS)).min(1).optional(),
  contract_required: z.boolean().optional(),
  upstreams: z.array(z.string().max(64)).max(20).optional(),
});

const statusInput = z.strictObject({ reason: z.string().min(1).max(500).optional() });

/** A client that only uses client credentials has no redirects and no authorization responses. */
export function toMetadata(input: z.output<typeof clientInput>): ClientMetadata {
  const serviceOnly = input.grant_types?.length && input.grant_types.every((g) => g === 'client_credentials');
  return { redirect_uris: [], ...(serviceOnly ? { response_types: [] } : {}), ...input } as ClientMetadata;
}

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

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { ManageClientsDeps } from '../../clients/manage-clients.ts';
import { AppError } from '../../shared/errors.ts';
import { adminAuthentication } from '../admin-auth.ts';
import { adminClientRoutes } from './admin-clients.ts';

export const ADMIN_API_PREFIX = '/admin/api/v1';
export const OPENAPI_FILE = join(import.meta.dirname, '..', '..', 'admin', 'openapi.json');

export interface AdminApiDeps {
  provider: Provider;
  clientAdmin: ManageClientsDeps;
}

/**
 * The admin API (JSON): described by src/admin/openapi.json, served at /admin/api/v1/openapi.json. Every other
 * route needs an admin access token (admin-auth.ts) and its area's scope; errors are JSON with a stable code.
 */
export function adminApiRoutes(deps: AdminApiDeps): Router {
  const openapi = readFileSync(OPENAPI_FILE, 'utf8');
  const router = new Router({ prefix: ADMIN_API_PREFIX });

  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    if (['POST', 'PUT', 'PATCH'].includes(ctx.method) && ctx.request.length && !ctx.is('application/json')) {
      throw new AppError(415, 'unsupported_media_type', `${ctx.get('content-type') || 'no content type'} is not JSON`);
    }
    await next();
  });
  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = openapi;
  });
  router.use(bodyParser({ enableTypes: ['json'], jsonLimit: '64kb', encoding: 'utf-8' }));
  router.use(adminAuthentication(deps.provider));
  const clients = adminClientRoutes(deps.clientAdmin);
  router.use(clients.routes(), clients.allowedMethods());
  return router;
}

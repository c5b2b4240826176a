import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { AdminOperations } from '../../admin/admin-operations.ts';
import { AppError } from '../../shared/errors.ts';
import { adminAuthentication } from '../admin-auth.ts';
import { adminClientRoutes } from './admin-clients.ts';
import { adminDirectoryRoutes } from './admin-directory.ts';
import { adminSupportRoutes } from './admin-support.ts';
import { adminAuditRoutes } from './admin-audit.ts';

export const ADMIN_API_PREFIX = '/admin/api/v1';
const IMPORT_PATH = `${ADMIN_API_PREFIX}/directory/imports`;
/** The router matches without case and with a trailing slash; so does this. */
const isImport = (path: string) => path.replace(/\/+$/, '').toLowerCase() === IMPORT_PATH;
export const OPENAPI_FILE = join(import.meta.dirname, '..', '..', 'admin', 'openapi.json');

export interface AdminApiDeps {
  provider: Provider;
  admin: AdminOperations;
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
    // Imports also take CSV (import-body.ts checks their type); everything else is JSON.
    if (['POST', 'PUT', 'PATCH'].includes(ctx.method) && ctx.request.length && !ctx.is('application/json') && !isImport(ctx.path)) {
      throw new AppError(415, 'unsupported_media_type', `${ctx.get('content-type') || 'no content type'} is not JSON`);
    }
    await next();
  });
  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = openapi;
  });
  const json = bodyParser({ enableTypes: ['json'], jsonLimit: '64kb', encoding: 'utf-8' });
  // An import's body is read by its route, after authentication, with its own limit.
  router.use((ctx, next) => (isImport(ctx.path) ? next() : json(ctx, next)));
  router.use(adminAuthentication(deps.provider));
  for (const area of [
    adminClientRoutes(deps.admin.clients),
    adminDirectoryRoutes({ ...deps.admin.directory, imports: deps.admin.imports }),
    adminSupportRoutes({ support: deps.admin.support, directory: deps.admin.directory }),
    adminAuditRoutes(deps.admin.audit),
  ]) router.use(area.routes(), area.allowedMethods());
  return router;
}

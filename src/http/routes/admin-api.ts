import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { AdminOperations } from '../../admin/admin-operations.ts';
import type { StoredClient } from '../../clients/client-store.ts';
import { adminAuthentication } from '../admin-auth.ts';
import { adminClientRoutes } from './admin-clients.ts';
import { adminDirectoryRoutes } from './admin-directory.ts';
import { adminSupportRoutes } from './admin-support.ts';
import { adminAuditRoutes } from './admin-audit.ts';

export const ADMIN_API_PREFIX = '/admin/api/v1';
export const OPENAPI_FILE = join(import.meta.dirname, '..', '..', 'admin', 'openapi.json');

export interface AdminApiDeps {
  provider: Provider;
  admin: AdminOperations;
  /** An admin token's client as registered now (admin-auth.ts). */
  findClient(clientId: string): Promise<StoredClient | undefined>;
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
    await next();
  });
  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = openapi;
  });
  // Bodies are read after authentication, by each area (json-body.ts; imports by their route).
  router.use(adminAuthentication(deps.provider, deps.findClient));
  for (const area of [
    adminClientRoutes(deps.admin.clients),
    adminDirectoryRoutes(deps.admin.directory),
    adminSupportRoutes(deps.admin),
    adminAuditRoutes(deps.admin.audit),
  ])
    router.use(area.routes(), area.allowedMethods());
  return router;
}

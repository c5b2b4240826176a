import { join } from 'node:path';
import type Router from '@koa/router';
import { apiRouter } from '../api-router.ts';
import type Provider from 'oidc-provider';
import type { AdminOperations } from '../../admin/admin-operations.ts';
import type { StoredClient } from '../../clients/client-store.ts';
import { adminAuthentication } from '../admin-auth.ts';
import { mountAdminRoutes, type AnyAdminRoute } from '../admin-route.ts';
import { auditRoutes } from './admin-audit.ts';
import { clientRoutes } from './admin-clients.ts';
import { importRoutes } from './admin-imports.ts';
import { mailRoutes } from './admin-mail.ts';
import { organisationRoutes } from './admin-organisations.ts';
import { profileRoutes } from './admin-profiles.ts';
import { supportRoutes } from './admin-support.ts';
import { webhookRoutes } from './admin-webhooks.ts';
import type { ProfileKinds } from '../../directory/profile-kinds.ts';

export const ADMIN_API_PREFIX = '/admin/api/v1';
/** Generated from adminRoutes() by `npm run openapi` (scripts/openapi.ts); a test fails when it is stale. */
export const OPENAPI_FILE = join(import.meta.dirname, '..', '..', 'admin', 'openapi.json');

/**
 * Every admin operation, in the order the document lists them, checking an organisation's kind against the configured
 * `kinds`. The document does not depend on them: it describes a kind as a string (profile-kinds.ts).
 */
export const adminRoutes = (kinds: ProfileKinds): readonly AnyAdminRoute[] => [
  ...clientRoutes,
  ...organisationRoutes(kinds),
  ...profileRoutes,
  ...importRoutes,
  ...supportRoutes,
  ...mailRoutes,
  ...auditRoutes,
  ...webhookRoutes,
];

export interface AdminApiDeps {
  provider: Provider;
  admin: AdminOperations;
  /** The configured profile kinds (`directory.profileKinds`). */
  profileKinds: ProfileKinds;
  /** An admin token's client as registered now (admin-auth.ts). */
  findClient(clientId: string): Promise<StoredClient | undefined>;
}

/**
 * The admin API (JSON): the operations of adminRoutes(), described by src/admin/openapi.json and served at
 * /admin/api/v1/openapi.json. Every other route needs an admin access token (admin-auth.ts) and its area's scope;
 * errors are JSON with a stable code.
 */
export function adminApiRoutes(deps: AdminApiDeps): Router {
  const router = apiRouter(ADMIN_API_PREFIX, OPENAPI_FILE);
  // Bodies are read after authentication and the scope check, by each operation (json-body.ts; imports their own).
  router.use(adminAuthentication(deps.provider, deps.findClient));
  mountAdminRoutes(router, adminRoutes(deps.profileKinds), deps.admin);
  return router;
}

import { join } from 'node:path';
import type Router from '@koa/router';
import { apiRouter } from '../api-router.ts';
import type { AccountOperations } from '../../account/account-operations.ts';
import { accountAuthentication, type accountTokenHolder } from '../account-auth.ts';
import { mountAccountRoutes, type AnyAccountRoute } from '../account-route.ts';
import { organisationRoutes } from './account-organisation-routes.ts';
import { myEmailRoutes } from './account-email-routes.ts';
import { myAccountRoutes } from './account-profile-routes.ts';
import { mySessionRoutes } from './account-session-routes.ts';

export const ACCOUNT_API_PREFIX = '/account/api/v1';
/** Generated from ACCOUNT_ROUTES by `npm run openapi`; a test fails when it is stale. */
export const ACCOUNT_OPENAPI_FILE = join(import.meta.dirname, '..', '..', 'account', 'openapi.json');

/** Every account API operation, in the order the document lists them. */
export const ACCOUNT_ROUTES: readonly AnyAccountRoute[] = [
  ...myAccountRoutes,
  ...mySessionRoutes,
  ...myEmailRoutes,
  ...organisationRoutes,
];

/**
 * The account API (JSON) for portals that offer self-service in their own pages: described by
 * src/account/openapi.json, served at /account/api/v1/openapi.json. Every other route needs the person's access
 * token with the `account` scope (account-auth.ts).
 */
export function accountApiRoutes(deps: {
  account: AccountOperations;
  holderFor: ReturnType<typeof accountTokenHolder>;
}): Router {
  const router = apiRouter(ACCOUNT_API_PREFIX, ACCOUNT_OPENAPI_FILE);
  router.use(accountAuthentication(deps.holderFor));
  mountAccountRoutes(router, ACCOUNT_ROUTES, deps.account);
  return router;
}

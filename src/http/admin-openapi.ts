import { ADMIN_SCOPES, type AdminScope } from '../clients/admin-scopes.ts';
import type { AnyAdminRoute } from './admin-route.ts';
import { openApiDocument, renderDocument, type ApiDescription } from './openapi-document.ts';
import { errorRecord } from './routes/admin-records.ts';

/** Each area: its tag, what the tag covers, and what its scope grants (the security scheme's words). */
const AREAS: Record<AdminScope, { tag: string; description: string; grants: string }> = {
  [ADMIN_SCOPES.clients]: {
    tag: 'clients',
    description: 'Portals and admin clients registered with the broker (scope admin:clients).',
    grants: 'clients',
  },
  [ADMIN_SCOPES.directory]: {
    tag: 'directory',
    description: 'Organisations, profiles and bulk imports (scope admin:directory).',
    grants: 'organisations and profiles',
  },
  [ADMIN_SCOPES.support]: {
    tag: 'support',
    description: 'Administrators, associations, links and invitations (scope admin:support).',
    grants: 'associations and links',
  },
  [ADMIN_SCOPES.audit]: { tag: 'audit', description: 'The audit log (scope admin:audit).', grants: 'the audit log' },
  [ADMIN_SCOPES.events]: {
    tag: 'webhooks',
    description: 'Webhook subscriptions and their deliveries (scope admin:events).',
    grants: 'webhook subscriptions, which receive events about profiles and sign-ins',
  },
};

/** The admin API's own words around its operations (openapi-document.ts makes the document). */
export const ADMIN_API: ApiDescription<AnyAdminRoute> = {
  info: {
    title: 'Profile broker admin API',
    version: '1.0.0',
    description:
      'Administration of the profile broker. Callers authenticate with access tokens the broker issues by client credentials (POST /token, grant_type=client_credentials, scope=admin:<area>) to admin clients; the bootstrap admin client comes from configuration (ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET). Every error is JSON: {error, message, reference}, with a stable `error` code and a message a person can act on.',
  },
  server: '/admin/api/v1',
  tags: Object.values(AREAS).map(({ tag, description }) => ({ name: tag, description })),
  securitySchemes: {
    adminToken: {
      type: 'oauth2',
      description: "An access token from the broker's token endpoint by client credentials.",
      flows: {
        clientCredentials: {
          tokenUrl: '/token',
          scopes: Object.fromEntries(Object.entries(AREAS).map(([scope, { grants }]) => [scope, grants])),
        },
      },
    },
  },
  error: errorRecord,
  tagOf: (route) => AREAS[route.scope].tag,
  securityOf: (route) => [{ adminToken: [route.scope] }],
};

/** The admin API's OpenAPI 3.1 document. */
export const adminOpenApiDocument = (routes: readonly AnyAdminRoute[]) => openApiDocument(ADMIN_API, routes);

/** The document as checked in: what `npm run openapi` writes and the broker serves. */
export const renderOpenApiDocument = (routes: readonly AnyAdminRoute[]) => renderDocument(adminOpenApiDocument(routes));

import { z } from 'zod';
import { ADMIN_SCOPES, type AdminScope } from '../clients/admin-scopes.ts';
import type { AnyAdminRoute } from './admin-route.ts';
import { errorRecord } from './routes/admin-records.ts';

type Json = Record<string, unknown>;

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
};

const ERROR = { $ref: '#/components/responses/Error' };

/**
 * The admin API's OpenAPI 3.1 document, made from the routes' own declarations (admin-route.ts) with zod's JSON Schema
 * conversion (docs/decisions/0016): request schemas as a caller may send them (`io: 'input'`), responses as the broker
 * sends them. A schema with a `.meta({ id })` becomes a named component, referenced wherever it is used.
 */
export function adminOpenApiDocument(routes: readonly AnyAdminRoute[]): Json {
  const schemas: Record<string, Json> = {};
  const convert = (schema: z.ZodType, io: 'input' | 'output'): Json => {
    const { $schema: _dialect, $defs, ...json } = z.toJSONSchema(schema, { io, target: 'draft-2020-12' }) as Json;
    for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, Json>)) {
      const named = JSON.stringify(pointAtComponents(def));
      // One name, one schema: the same id given to two different schemas would describe one of them wrongly.
      if (schemas[id] && JSON.stringify(schemas[id]) !== named) throw new Error(`two schemas are named ${id}`);
      schemas[id] = JSON.parse(named) as Json;
    }
    return pointAtComponents(json);
  };
  convert(errorRecord, 'output');

  const paths: Record<string, Record<string, Json>> = {
    '/openapi.json': {
      get: {
        operationId: 'getOpenApiDocument',
        summary: 'This document',
        tags: ['meta'],
        security: [],
        responses: {
          200: { description: 'The OpenAPI document', content: { 'application/json': { schema: { type: 'object' } } } },
        },
      },
    },
  };
  for (const route of routes) {
    const { params, query, body } = route.request;
    const takesBody = route.method === 'post' || route.method === 'put';
    const refusals: Record<number, Json> = { 401: ERROR, 403: ERROR, 503: ERROR };
    // Malformed JSON is refused on any route that reads a body; 413 and 415 come from reading it (json-body.ts).
    if (query || takesBody) refusals[400] = ERROR;
    if (takesBody) Object.assign(refusals, { 413: ERROR, 415: ERROR });
    for (const [status, meaning] of Object.entries(route.refusals ?? {}))
      refusals[Number(status)] = meaning === true ? ERROR : { ...ERROR, description: meaning };

    const operation: Json = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [AREAS[route.scope].tag],
      security: [{ adminToken: [route.scope] }],
      parameters: [
        ...(params ? parameters(convert(params, 'input'), 'path') : []),
        ...(query ? parameters(convert(query, 'input'), 'query') : []),
      ],
    };
    if (!(operation.parameters as unknown[]).length) delete operation.parameters;
    if (body)
      operation.requestBody = {
        // A body that may be left out: the route reads an absent one as {} (shared/parse-input.ts). A route whose
        // use case refuses {} anyway (a client needs its redirect URIs) says so itself.
        required: route.bodyRequired ?? !body.safeParse({}).success,
        content: { 'application/json': { schema: convert(body, 'input') } },
      };
    if (route.ownBody)
      operation.requestBody = {
        required: true,
        description: route.ownBody.description,
        content: Object.fromEntries(
          Object.entries(route.ownBody.content).map(([type, schema]) => [type, { schema: convert(schema, 'input') }]),
        ),
      };
    const { status, description, schema } = route.response;
    operation.responses = {
      [status]: {
        description,
        ...(schema ? { content: { 'application/json': { schema: convert(schema, 'output') } } } : {}),
      },
      ...refusals,
    };
    (paths[route.path] ??= {})[route.method] = operation;
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Profile broker admin API',
      version: '1.0.0',
      description:
        'Administration of the profile broker. Callers authenticate with access tokens the broker issues by client credentials (POST /token, grant_type=client_credentials, scope=admin:<area>) to admin clients; the bootstrap admin client comes from configuration (ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET). Every error is JSON: {error, message, reference}, with a stable `error` code and a message a person can act on.',
    },
    servers: [{ url: '/admin/api/v1' }],
    tags: [
      { name: 'meta', description: 'The API itself.' },
      ...Object.values(AREAS).map(({ tag, description }) => ({ name: tag, description })),
    ],
    paths,
    components: {
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
      responses: {
        Error: {
          description: 'An error, with a stable code and a message a person can act on',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      schemas,
    },
  };
}

/** The document as checked in: what `npm run openapi` writes and the broker serves. */
export const renderOpenApiDocument = (routes: readonly AnyAdminRoute[]) =>
  `${JSON.stringify(adminOpenApiDocument(routes), null, 2)}\n`;

/** zod names its definitions `#/$defs/<id>`; the document keeps them under components. */
function pointAtComponents(json: Json): Json {
  return JSON.parse(JSON.stringify(json).replaceAll('"#/$defs/', '"#/components/schemas/')) as Json;
}

/** An object schema's properties as OpenAPI parameters, each with its own description. */
function parameters(object: Json, where: 'path' | 'query'): Json[] {
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries((object.properties ?? {}) as Record<string, Json>).map(
    ([name, { description, ...schema }]) => ({
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema,
    }),
  );
}

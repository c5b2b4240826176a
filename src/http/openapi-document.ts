import { z } from 'zod';
import type { RequestSchemas } from './guard.ts';

type Json = Record<string, unknown>;

/** Refusals a route documents beyond those every operation of its API may give. */
export type RefusalStatus = 400 | 403 | 404 | 409 | 410 | 429;

/** What the document needs of one operation; the admin and the account routes both declare this much. */
export interface DocumentedOperation {
  operationId: string;
  method: 'get' | 'post' | 'put' | 'delete';
  path: `/${string}`;
  summary: string;
  description?: string;
  request: RequestSchemas;
  /** A body the handler reads itself, by media type, instead of a JSON `request.body`. */
  ownBody?: { description: string; content: Record<string, z.ZodType> };
  /** The document marks the JSON body required even though {} parses (the use case refuses it). */
  bodyRequired?: boolean;
  response: { status: 200 | 201 | 202 | 204; description: string; schema: z.ZodType | undefined };
  /** What a refusal means for this operation, for the ones it gives beyond the usual; `true` needs no more words. */
  refusals?: Partial<Record<RefusalStatus, string | true>>;
}

/** One API's own words around its operations: the admin API and the account API each give theirs. */
export interface ApiDescription<R extends DocumentedOperation> {
  info: { title: string; version: string; description: string };
  server: string;
  tags: { name: string; description: string }[];
  securitySchemes: Record<string, Json>;
  /** The error schema every refusal answers with (a zod schema with a `.meta({ id })`). */
  error: z.ZodType;
  tagOf(route: R): string;
  securityOf(route: R): Record<string, string[]>[];
}

const ERROR = { $ref: '#/components/responses/Error' };

/**
 * An API's OpenAPI 3.1 document, made from its routes' own declarations with zod's JSON Schema conversion
 * (docs/decisions/0016): request schemas as a caller may send them (`io: 'input'`), responses as the broker sends
 * them. A schema with a `.meta({ id })` becomes a named component, referenced wherever it is used.
 */
export function openApiDocument<R extends DocumentedOperation>(api: ApiDescription<R>, routes: readonly R[]): Json {
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
  convert(api.error, 'output');

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
      tags: [api.tagOf(route)],
      security: api.securityOf(route),
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
    info: api.info,
    servers: [{ url: api.server }],
    tags: [{ name: 'meta', description: 'The API itself.' }, ...api.tags],
    paths,
    components: {
      securitySchemes: api.securitySchemes,
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
export const renderDocument = (document: Json) => `${JSON.stringify(document, null, 2)}\n`;

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

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { renderOpenApiDocument } from '../../src/http/admin-openapi.ts';
import { adminRoutes, OPENAPI_FILE } from '../../src/http/routes/admin-api.ts';
import { DEFAULT_PROFILE_KINDS } from '../../src/directory/profile-kinds.ts';
import { adminApi } from '../support/admin-api.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';

/** The routes as a broker with the default kinds serves them; the document is the same for any kinds. */
const ADMIN_ROUTES = adminRoutes(DEFAULT_PROFILE_KINDS);

/** A JSON Schema, as far as the admin API's document uses one. */
interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  maxItems?: number;
  oneOf?: Schema[];
  anyOf?: Schema[];
}
interface Operation {
  parameters?: ({ $ref: string } | { name: string; in: string; schema: Schema })[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { parameters: Record<string, { name: string; in: string; schema: Schema }> };
};
const resolve = (ref: string): Schema =>
  ref
    .slice(2)
    .split('/')
    .reduce(
      (node: Record<string, unknown>, key) => node[key] as Record<string, unknown>,
      doc as unknown as Record<string, unknown>,
    ) as Schema;

/**
 * Whether `value` meets `schema`: the keywords the document uses, as a validator reads them (`format` is an annotation
 * and checks nothing; patterns are ECMA-262, unicode-aware).
 */
function meets(value: unknown, schema: Schema): boolean {
  if (schema.$ref) return meets(value, resolve(schema.$ref));
  if (schema.oneOf) return schema.oneOf.filter((s) => meets(value, s)).length === 1;
  if (schema.anyOf && !schema.anyOf.some((s) => meets(value, s))) return false;
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  const types =
    schema.type === undefined ? undefined : [schema.type].flat().map((t) => (t === 'integer' ? 'number' : t));
  if (types && !types.includes(type)) return false;
  if (schema.enum && !schema.enum.includes(value)) return false;
  if (typeof value === 'string') {
    const length = [...value].length;
    if (length < (schema.minLength ?? 0) || length > (schema.maxLength ?? Infinity)) return false;
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) return false;
  }
  if (Array.isArray(value))
    return (
      value.length <= (schema.maxItems ?? Infinity) && (!schema.items || value.every((v) => meets(v, schema.items!)))
    );
  if (type === 'object') {
    const object = value as Record<string, unknown>;
    if ((schema.required ?? []).some((k) => !(k in object))) return false;
    return Object.entries(object).every(([k, v]) => {
      const property = schema.properties?.[k] ?? schema.additionalProperties;
      return property === undefined || property === true ? true : property === false ? false : meets(v, property);
    });
  }
  return true;
}

function parameter(path: string, method: string, name: string): Schema {
  for (const p of doc.paths[path]![method]!.parameters ?? []) {
    const param = '$ref' in p ? doc.components.parameters[p.$ref.split('/').pop()!]! : p;
    if (param.name === name) return param.schema;
  }
  throw new Error(`${method} ${path} documents no parameter ${name}`);
}
const body = (path: string, method: string, type = 'application/json') =>
  doc.paths[path]![method]!.requestBody!.content[type]!.schema;

const ROOT = { id: 'root-admin', secret: 'root-admin-secret-0123456789abcdefghij' };
let broker: TestBroker;
let admin: ReturnType<typeof adminApi>;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  broker = await startBroker({ admin: { clientId: ROOT.id, clientSecret: ROOT.secret } });
  admin = adminApi(broker.issuer, ROOT);
  for (const area of ['directory', 'support', 'audit']) tokens[area] = await admin.token(`admin:${area}`);
});
afterAll(() => broker.close());

/** A request the fuzzers make: one value of one field, everything else as valid as it gets. */
interface Case {
  what: string;
  area: string;
  method: string;
  path: string;
  /** The value under test, and the document's schema for it. */
  value: unknown;
  schema: Schema;
  query?: Record<string, string>;
  body?: unknown;
  type?: string;
}

/** Cases for each value: the request's body is checked against the body's schema, else the query parameter's value. */
const sentences = (values: string[], make: (value: string) => Omit<Case, 'what' | 'value'>): Case[] =>
  values.map((value) => {
    const made = make(value);
    return { what: JSON.stringify(value), value: made.body ?? Object.values(made.query ?? {})[0], ...made };
  });
const orgBody = (over: Record<string, unknown>) => ({
  account_number: `C-${Math.random().toString().slice(2, 10)}`,
  name: 'Doc Org',
  kind: 'customer',
  ...over,
});
const BLANKS = ['', ' ', '\t', 'Tab\there', 'Line\nbreak', 'Esc\u001b[0m', 'Sep\u2028arator', 'Fine'];
const EMAILS = ['x@example.c', 'a@b', '"quoted"@example.com', 'a..b@example.com', 'ok.person@example.com'];

const CASES: Case[] = [
  ...sentences(BLANKS, (name) => ({
    area: 'directory',
    method: 'POST',
    path: '/directory/organisations',
    schema: body('/directory/organisations', 'post'),
    body: orgBody({ name }),
  })),
  ...sentences(['', ' ', 'C-77'], (account) => ({
    area: 'directory',
    method: 'POST',
    path: '/directory/organisations',
    schema: body('/directory/organisations', 'post'),
    body: orgBody({ account_number: account }),
  })),
  ...sentences(BLANKS, (name) => ({
    area: 'directory',
    method: 'PUT',
    path: '/directory/profiles/prf-erin-contoso',
    schema: body('/directory/profiles/{profileId}', 'put'),
    body: { email: 'erin.evans@contoso.example', display_name: name },
  })),
  ...sentences(EMAILS, (email) => ({
    area: 'directory',
    method: 'POST',
    path: '/directory/profiles',
    schema: body('/directory/profiles', 'post'),
    body: { organisation_id: 'org-contoso', email, display_name: 'Doc Person', role: 'professional' },
  })),
  ...sentences(['', ' ', 'left'], (reason) => ({
    area: 'directory',
    method: 'POST',
    path: '/directory/profiles/prf-frank-contoso/disable',
    schema: body('/directory/profiles/{profileId}/disable', 'post'),
    body: { reason },
  })),
  ...sentences(['', 'Contoso'], (q) => ({
    area: 'directory',
    method: 'GET',
    path: '/directory/organisations',
    schema: parameter('/directory/organisations', 'get', 'q'),
    query: { q },
  })),
  ...sentences(['', 'alice.andersen@contoso.example'], (email) => ({
    area: 'directory',
    method: 'GET',
    path: '/directory/profiles',
    schema: parameter('/directory/profiles', 'get', 'email'),
    query: { email },
  })),
  ...sentences(['', 'org-contoso'], (after) => ({
    area: 'directory',
    method: 'GET',
    path: '/directory/organisations',
    schema: parameter('/directory/organisations', 'get', 'after'),
    query: { after },
  })),
  ...sentences(['', 'admin:root-admin'], (actor) => ({
    area: 'audit',
    method: 'GET',
    path: '/audit/events',
    schema: parameter('/audit/events', 'get', 'actor'),
    query: { actor },
  })),
  ...sentences(['', 'org-contoso'], (id) => ({
    area: 'audit',
    method: 'GET',
    path: '/audit/events',
    schema: parameter('/audit/events', 'get', 'organisation_id'),
    query: { organisation_id: id },
  })),
  ...sentences(
    ['2026-01-01t00:00:00z', '2026-01-01T00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00.5+01:00'],
    (from) => ({
      area: 'audit',
      method: 'GET',
      path: '/audit/events',
      schema: parameter('/audit/events', 'get', 'from'),
      query: { from },
    }),
  ),
  ...sentences(['', 'prf-nope'], (id) => ({
    area: 'support',
    method: 'PUT',
    path: '/support/organisations/org-contoso/administrator',
    schema: body('/support/organisations/{organisationId}/administrator', 'put'),
    body: { profile_id: id, reason: 'ticket 1' },
  })),
  ...sentences([' ', 'ticket 2'], (reason) => ({
    area: 'support',
    method: 'PUT',
    path: '/support/organisations/org-contoso/administrator',
    schema: body('/support/organisations/{organisationId}/administrator', 'put'),
    body: { profile_id: 'prf-alice-contoso', reason },
  })),
  ...sentences([' ', 'ticket 3'], (reason) => ({
    area: 'support',
    method: 'POST',
    path: '/support/profiles/prf-nobody/unlink',
    schema: body('/support/profiles/{profileId}/unlink', 'post'),
    body: { reason },
  })),
  ...sentences(['', 'test-portal'], (client) => ({
    area: 'support',
    method: 'POST',
    path: '/support/profiles/prf-erin-contoso/invitations',
    schema: body('/support/profiles/{profileId}/invitations', 'post'),
    body: { client_id: client },
  })),
  ...sentences(
    [
      '',
      ' ',
      'x',
      'account_number,name\nC-1,A',
      'Account Number,E-mail Address,Display Name\nC-104233,doc.csv@contoso.example,Doc Csv',
    ],
    (csv) => ({
      area: 'directory',
      method: 'POST',
      path: '/directory/imports',
      schema: body('/directory/imports', 'post', 'text/csv'),
      body: csv,
      type: 'text/csv',
      query: { dry_run: 'true' },
    }),
  ),
  ...[
    [{}],
    [],
    { rows: [{ account_number: 'C-104233' }] },
    [{ account_number: 'C-104233', email: 'doc.json@contoso.example', display_name: { deep: [[[['x']]]] } }],
    [{ account_number: 'C-104233', email: 'doc.json@contoso.example', display_name: 'Doc Json' }],
  ].map((rows) => ({
    what: JSON.stringify(rows),
    value: rows,
    area: 'directory',
    method: 'POST',
    path: '/directory/imports',
    schema: body('/directory/imports', 'post'),
    body: rows,
    query: { dry_run: 'true' },
  })),
];

describe('the admin API document', () => {
  it('is checked in as the routes declare it', () => {
    const upToDate = readFileSync(OPENAPI_FILE, 'utf8') === renderOpenApiDocument(ADMIN_ROUTES);
    expect(upToDate ? 'up to date' : 'src/admin/openapi.json is stale: run `npm run openapi`').toBe('up to date');
  });

  it('accepts only what the server accepts: every request the document calls valid is answered without a 400', async () => {
    const results = [];
    for (const c of CASES) {
      const documented = meets(c.value, c.schema);
      const query = c.query ? `?${new URLSearchParams(c.query)}` : '';
      const answer = await admin.call(
        c.method,
        `${c.path}${query}`,
        tokens[c.area],
        typeof c.body === 'string' ? c.body : c.body === undefined ? undefined : JSON.stringify(c.body),
        c.type ? { 'content-type': c.type } : { 'content-type': 'application/json' },
      );
      results.push({
        request: `${c.method} ${c.path} ${c.what}`,
        documented,
        status: answer.status,
        error: answer.body?.error,
      });
    }
    expect(results.filter((r) => r.documented && r.status === 400)).toEqual([]);
    // The cases cover both sides: values the document refuses, and values it takes that the server serves.
    expect(results.filter((r) => !r.documented).length).toBeGreaterThanOrEqual(20);
    expect(results.filter((r) => r.documented && r.status < 300).length).toBeGreaterThanOrEqual(15);
    // And what the document refuses, the server refuses too (these are the values the document exists to describe).
    expect(results.filter((r) => !r.documented && r.status < 400)).toEqual([]);
  });
});

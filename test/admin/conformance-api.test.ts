import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ALL_ADMIN_SCOPES, operatorActor } from '../../src/clients/admin-scopes.ts';
import { waitUntil } from '../support/wait.ts';
import { adminRoutes, OPENAPI_FILE } from '../../src/http/routes/admin-api.ts';
import { DEFAULT_PROFILE_KINDS } from '../../src/directory/profile-kinds.ts';
import { errorRecord } from '../../src/http/routes/admin-records.ts';
import { adminApi } from '../support/admin-api.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';

/** The routes as a broker with the default kinds serves them; the document is the same for any kinds. */
const ADMIN_ROUTES = adminRoutes(DEFAULT_PROFILE_KINDS);

/** As much of an OpenAPI operation as a request needs. */
interface Schema {
  $ref?: string;
  examples?: unknown[];
}
interface Operation {
  operationId: string;
  responses: Record<string, unknown>;
  parameters?: { name: string; in: 'path' | 'query'; required: boolean; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};
const resolve = (schema: Schema): Schema =>
  schema.$ref ? resolve(doc.components.schemas[schema.$ref.split('/').pop()!]!) : schema;
const example = (schema: Schema, what: string): unknown => {
  const examples = resolve(schema).examples;
  if (!examples?.length) throw new Error(`the document gives no example for ${what}`);
  return examples[0];
};

interface Request {
  operation: Operation;
  method: string;
  url: string;
  type?: string;
  body?: string;
}

/** One request per operation (per media type where it takes several), made only of what the document says. */
const requests: Request[] = Object.entries(doc.paths).flatMap(([template, operations]) =>
  Object.entries(operations).flatMap(([method, operation]): Request[] => {
    const parameters = operation.parameters ?? [];
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const parameter = parameters.find((p) => p.in === 'path' && p.name === name)!;
      return encodeURIComponent(String(example(parameter.schema, `${operation.operationId} ${name}`)));
    });
    // Every query parameter the document gives an example of, and the ones it requires.
    const query = new URLSearchParams(
      parameters
        .filter((p) => p.in === 'query' && (p.required || resolve(p.schema).examples?.length))
        .map((p) => [p.name, String(example(p.schema, `${operation.operationId} ${p.name}`))]),
    );
    const url = `${path}${query.size ? `?${query}` : ''}`;
    const bodies = Object.entries(operation.requestBody?.content ?? {});
    if (!bodies.length) return [{ operation, method: method.toUpperCase(), url }];
    return bodies.map(([type, { schema }]) => {
      const body = example(schema, `${operation.operationId} ${type}`);
      return {
        operation,
        method: method.toUpperCase(),
        url,
        type,
        body: typeof body === 'string' ? body : JSON.stringify(body),
      };
    });
  }),
);

/** JSON with its keys sorted, so two values compare as data. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

const ROOT = { id: 'root-admin', secret: 'root-admin-secret-0123456789abcdefghij' };
let broker: TestBroker;
let token: string;
beforeAll(async () => {
  broker = await startBroker({
    admin: { clientId: ROOT.id, clientSecret: ROOT.secret },
    webhooks: { retry: { attempts: 1, baseDelayMs: 10, maxDelayMs: 10 }, timeoutMs: 1000 },
    // No mail server listens there: every message fails at its one attempt, as the failed-mail examples need.
    mail: { smtpUrl: 'smtp://127.0.0.1:9', retry: { attempts: 1, baseDelayMs: 10, maxDelayMs: 10 }, timeoutMs: 1000 },
  });
  token = await adminApi(broker.issuer, ROOT).token(ALL_ADMIN_SCOPES.join(' '));
  // The webhook examples name a subscription and a delivery that failed (its receiver is nowhere), as an operator
  // would find them.
  const webhookId = String(example(doc.paths['/webhooks/{webhookId}']!.get!.parameters![0]!.schema, 'webhook id'));
  const eventId = String(
    example(doc.paths['/webhooks/{webhookId}/deliveries/{eventId}/retry']!.post!.parameters![1]!.schema, 'event id'),
  );
  await broker.services.admin.webhooks.create(operatorActor('conformance'), {
    id: webhookId,
    url: 'http://127.0.0.1:9/nobody-listens',
  });
  await broker.services.audit.record({
    id: eventId,
    at: new Date(),
    action: 'profile.updated',
    outcome: 'success',
    actor: 'system',
    profileId: 'prf-erin-contoso',
  });
  await waitUntil(
    async () =>
      (await broker.services.admin.webhooks.deliveries(webhookId, { limit: 1 })).deliveries[0]?.status === 'failed',
    10_000,
    'example delivery failed',
  );
  // The failed-mail example names a message that failed every attempt.
  const mailId = String(
    example(doc.paths['/mail/failed/{mailId}/requeue']!.post!.parameters![0]!.schema, 'failed mail id'),
  );
  await broker.services.delivery.enqueue({
    id: mailId,
    to: 'erin.evans@contoso.example',
    subject: 'Example',
    html: '<p>Example</p>',
    text: 'Example',
    kind: 'association-invitation',
    reference: 'AAAA-BBBB-CCCC',
  });
  await waitUntil(
    async () => (await broker.services.delivery.failed()).some((mail) => mail.id === mailId),
    10_000,
    'example mail failed',
  );
});
afterAll(() => broker.close());

describe('the admin API as its document describes it', () => {
  it("takes every operation's documented example, and answers as the operation declares", async () => {
    const answers = [];
    // The examples name one client, one organisation and one profile: deleting the client comes last, so that the
    // operations on it find it.
    const ordered = [...requests].sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
    for (const request of ordered) {
      const route = ADMIN_ROUTES.find((r) => r.operationId === request.operation.operationId);
      const answer = await adminApi(broker.issuer, ROOT).call(
        request.method,
        request.url,
        token,
        request.body,
        request.type ? { 'content-type': request.type } : {},
      );
      // The answer is what the route declares for its status: its response, or the error shape; nothing undeclared.
      const declared = answer.status < 300 ? route?.response.schema : answer.status >= 400 ? errorRecord : undefined;
      const parsed = declared?.safeParse(answer.body);
      answers.push({
        request: `${request.method} ${request.url}${request.type ? ` (${request.type})` : ''}`,
        status: answer.status,
        error: answer.body?.error,
        documented: String(answer.status) in request.operation.responses,
        conforms: !declared || (parsed!.success && canonical(parsed!.data) === canonical(answer.body)),
        // The document itself is the one operation not declared as an admin route.
        expected: answer.status === (route?.response.status ?? 200),
      });
    }
    // Every documented example is taken, and answered with the status and the body its operation declares.
    expect(answers.filter((a) => !a.expected || !a.documented || !a.conforms)).toEqual([]);
    expect(answers.filter((a) => a.error !== undefined)).toEqual([]);
    expect(answers.length).toBeGreaterThanOrEqual(ADMIN_ROUTES.length);
  });
});

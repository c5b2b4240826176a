import { z } from 'zod';
import { ADMIN_SCOPES } from '../../clients/admin-scopes.ts';
import { pageQuery } from '../../shared/page-query.ts';
import { WEBHOOK_EVENT_TYPES } from '../../webhooks/webhook-events.ts';
import { DELIVERY_STATUSES, webhookInput } from '../../webhooks/webhook-input.ts';
import { adminRoute } from '../admin-route.ts';
import { nextPage } from './admin-records.ts';

const scope = ADMIN_SCOPES.events;

const webhookRecord = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
    all_events: z.boolean().meta({ description: 'Receives every event type, those added later included' }),
    description: z.string(),
    status: z.enum(['active', 'disabled']),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: 'Webhook' });

const webhookWithSecret = z
  .object({
    webhook: webhookRecord,
    secret: z.string().meta({
      description:
        'The Standard Webhooks signing secret (whsec_…), shown once: verify every request with it (webhook-id, webhook-timestamp, webhook-signature).',
    }),
  })
  .meta({ id: 'WebhookWithSecret' });

const deliveryRecord = z
  .object({
    event_id: z.string().meta({ description: 'The webhook-id header: the same on every attempt and replay' }),
    type: z.enum(WEBHOOK_EVENT_TYPES),
    occurred_at: z.iso.datetime(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    next_attempt_at: z.iso.datetime().nullable(),
    history: z.array(
      z.object({ at: z.iso.datetime(), status: z.number().int().nullable(), error: z.string().nullable() }),
    ),
    payload: z.record(z.string(), z.unknown()).meta({ description: 'What is sent: {type, timestamp, data}' }),
  })
  .meta({ id: 'WebhookDelivery' });

const webhookPath = z.strictObject({
  webhookId: z
    .string()
    .min(1)
    .max(100)
    .meta({ description: 'The subscription id', examples: ['wh-3kq9x0c2m1ab7d4e'] }),
});
const deliveryPath = webhookPath.extend({
  eventId: z
    .string()
    .min(1)
    .max(100)
    .meta({ description: 'The event id (webhook-id)', examples: ['7F3A-19C2-BB04'] }),
});

const URL_REFUSED =
  'invalid_input, or webhook_url_refused: not https, or (in production) a loopback, link-local or private address';

/** /admin/api/v1/webhooks: endpoints subscribed to the broker's events, and their deliveries (scope admin:events). */
export const webhookRoutes = [
  adminRoute({
    operationId: 'listWebhooks',
    method: 'get',
    path: '/webhooks',
    scope,
    summary: 'List webhook subscriptions',
    request: {},
    response: {
      status: 200,
      description: 'Every subscription',
      schema: z.object({ webhooks: z.array(webhookRecord) }),
    },
    handle: (_, admin) => admin.webhooks.list(),
  }),
  adminRoute({
    operationId: 'createWebhook',
    bodyRequired: true,
    method: 'post',
    path: '/webhooks',
    scope,
    summary: 'Subscribe an endpoint to events',
    description:
      'Events are POSTed as Standard Webhooks (https://www.standardwebhooks.com): JSON {type, timestamp, data}, signed with the secret returned here once. The endpoint receives the events that happen from now on, in order of occurrence, retried with backoff while it is down.',
    request: { body: webhookInput },
    response: { status: 201, description: 'Created; the secret is shown this once', schema: webhookWithSecret },
    refusals: { 400: URL_REFUSED, 409: 'webhook_exists: a subscription has this id' },
    handle: ({ body, actor }, admin) => admin.webhooks.create(actor, body),
  }),
  adminRoute({
    operationId: 'getWebhook',
    method: 'get',
    path: '/webhooks/{webhookId}',
    scope,
    summary: 'Show a webhook subscription',
    request: { params: webhookPath },
    response: { status: 200, description: 'The subscription, without its secret', schema: webhookRecord },
    refusals: { 404: true },
    handle: ({ params }, admin) => admin.webhooks.get(params.webhookId),
  }),
  adminRoute({
    operationId: 'deleteWebhook',
    method: 'delete',
    path: '/webhooks/{webhookId}',
    scope,
    summary: 'Delete a webhook subscription and its deliveries',
    request: { params: webhookPath },
    response: { status: 204, description: 'Deleted', schema: undefined },
    refusals: { 404: true },
    handle: ({ params, actor }, admin) => admin.webhooks.remove(actor, params.webhookId),
  }),
  ...(['disable', 'enable'] as const).map((verb) =>
    adminRoute({
      operationId: `${verb}Webhook`,
      method: 'post',
      path: `/webhooks/{webhookId}/${verb}`,
      scope,
      summary: verb === 'disable' ? 'Disable a webhook subscription' : 'Enable a webhook subscription',
      description:
        verb === 'disable'
          ? 'Nothing is sent while it is disabled; events that happen meanwhile are kept and sent, in order, once it is enabled.'
          : 'What was kept while it was disabled is sent, in order of occurrence.',
      request: { params: webhookPath },
      response: { status: 200, description: 'The subscription', schema: webhookRecord },
      refusals: { 404: true },
      handle: ({ params, actor }, admin) =>
        admin.webhooks.setStatus(actor, params.webhookId, verb === 'disable' ? 'disabled' : 'active'),
    }),
  ),
  adminRoute({
    operationId: 'rotateWebhookSecret',
    method: 'post',
    path: '/webhooks/{webhookId}/secret',
    scope,
    summary: "Rotate a webhook subscription's signing secret",
    description:
      'Every attempt from now on is signed with the new secret only; deliveries the receiver refuses meanwhile are retried.',
    request: { params: webhookPath },
    response: { status: 200, description: 'The new secret, shown this once', schema: webhookWithSecret },
    refusals: { 404: true },
    handle: ({ params, actor }, admin) => admin.webhooks.rotateSecret(actor, params.webhookId),
  }),
  adminRoute({
    operationId: 'listWebhookDeliveries',
    method: 'get',
    path: '/webhooks/{webhookId}/deliveries',
    scope,
    summary: "List a subscription's deliveries, newest event first",
    request: {
      params: webhookPath,
      query: z.strictObject({ status: z.enum(DELIVERY_STATUSES).optional(), ...pageQuery }),
    },
    response: {
      status: 200,
      description: 'A page of deliveries',
      schema: z.object({ deliveries: z.array(deliveryRecord), next: nextPage }),
    },
    refusals: { 404: true },
    handle: ({ params, query }, admin) => admin.webhooks.deliveries(params.webhookId, query),
  }),
  adminRoute({
    operationId: 'retryWebhookDelivery',
    method: 'post',
    path: '/webhooks/{webhookId}/deliveries/{eventId}/retry',
    scope,
    summary: 'Retry a failed delivery',
    description: 'A delivery that failed every attempt gets a new round of attempts, in its place in the order.',
    request: { params: deliveryPath },
    response: { status: 200, description: 'The delivery, pending again', schema: deliveryRecord },
    refusals: { 404: true, 409: 'webhook_delivery_not_failed: only a failed delivery is retried (replay sends any)' },
    handle: ({ params, actor }, admin) => admin.webhooks.retry(actor, params.webhookId, params.eventId),
  }),
  adminRoute({
    operationId: 'replayWebhookDelivery',
    method: 'post',
    path: '/webhooks/{webhookId}/deliveries/{eventId}/replay',
    scope,
    summary: 'Send a delivery again',
    description:
      'Any delivery, delivered ones included, is sent again with the same webhook-id (receivers that deduplicate see the same event), as a new attempt.',
    request: { params: deliveryPath },
    response: { status: 200, description: 'The delivery, pending again', schema: deliveryRecord },
    refusals: { 404: true },
    handle: ({ params, actor }, admin) => admin.webhooks.replay(actor, params.webhookId, params.eventId),
  }),
];

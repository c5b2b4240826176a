import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from './webhook-events.ts';

/*
 * What a subscription is made from, for the admin API and the command line alike (as clients/client-input.ts).
 */

export const webhookInput = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash or underscore, at most 64')
      .optional()
      .meta({ description: 'Default: one the broker makes (wh-…)' }),
    url: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .meta({
        description:
          'Where events are POSTed. https; in production never a loopback, link-local or private address (outside production plain http is taken too, for local receivers).',
        examples: ['https://portal.example/hooks/broker'],
      }),
    events: z
      .array(z.enum(WEBHOOK_EVENT_TYPES))
      .max(WEBHOOK_EVENT_TYPES.length)
      .optional()
      .meta({ description: 'The event types to receive; omitted or empty: every type, those added later included.' }),
    description: z.string().trim().max(500).optional().meta({ description: 'For operators: whose it is, what for.' }),
  })
  .meta({
    id: 'WebhookInput',
    examples: [
      {
        url: 'https://portal.example/hooks/broker',
        events: ['association.created', 'association.removed', 'profile.disabled'],
        description: 'Customer portal: end sessions of unlinked profiles',
      },
    ],
  });

export type WebhookInput = z.output<typeof webhookInput>;

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

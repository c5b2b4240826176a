import { z } from 'zod';
import { ADMIN_SCOPES } from '../../clients/admin-scopes.ts';
import { adminRoute } from '../admin-route.ts';

// The support desk answers "I never got the email": failed mail is its area.
const scope = ADMIN_SCOPES.support;

const failedMailRecord = z
  .object({
    id: z.string().meta({ description: 'The queue’s id for the message, which requeue takes' }),
    reference: z.string().meta({ description: 'The reference code the email quotes and the log lines carry' }),
    kind: z.string().meta({ description: 'Which email it is, e.g. association-invitation' }),
    attempts: z.number().int(),
    last_error: z.string().meta({ description: 'Why the last attempt failed (the SMTP reply, without addresses)' }),
    failed_at: z.iso.datetime(),
  })
  .meta({ id: 'FailedMail' });

const requeued = z.object({ requeued: z.array(failedMailRecord) }).meta({ id: 'RequeuedMail' });

const mailPath = z.strictObject({
  mailId: z
    .string()
    .min(1)
    .max(100)
    .meta({ description: 'The failed message’s id', examples: ['6f1c2a4e-9b7d-4c3a-8e21-0d5f7a9b3c11'] }),
});

/** /admin/api/v1/mail: email that failed every attempt, and sending it again (scope admin:support). */
export const mailRoutes = [
  adminRoute({
    operationId: 'listFailedMail',
    method: 'get',
    path: '/mail/failed',
    scope,
    summary: 'List email that failed every attempt',
    description:
      'Messages the mail server refused for good (an SMTP 5xx reply) or that failed every retry, oldest first, with how many messages are still waiting for an attempt. Addresses and content are never shown.',
    request: {},
    response: {
      status: 200,
      description: 'The failed messages',
      schema: z.object({
        failed: z.array(failedMailRecord),
        pending: z.number().int().meta({ description: 'Messages waiting for an attempt or being sent now' }),
      }),
    },
    handle: (_, admin) => admin.mail.failed(),
  }),
  adminRoute({
    operationId: 'requeueFailedMail',
    method: 'post',
    path: '/mail/failed/{mailId}/requeue',
    scope,
    summary: 'Send one failed email again',
    description: 'It gets a fresh round of attempts; the requeue is audited.',
    request: { params: mailPath },
    response: { status: 200, description: 'The message put back in the queue', schema: requeued },
    refusals: { 404: 'mail_not_found: no failed message with this id (requeued already?)' },
    handle: ({ params, actor }, admin) => admin.mail.requeue(actor, params.mailId),
  }),
  adminRoute({
    operationId: 'requeueAllFailedMail',
    method: 'post',
    path: '/mail/failed/requeue',
    scope,
    summary: 'Send every failed email again',
    description: 'Each gets a fresh round of attempts, e.g. once the mail server is fixed; each requeue is audited.',
    request: {},
    response: { status: 200, description: 'The messages put back in the queue', schema: requeued },
    handle: ({ actor }, admin) => admin.mail.requeueAll(actor),
  }),
];

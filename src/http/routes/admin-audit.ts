import { z } from 'zod';
import { ADMIN_SCOPES } from '../../clients/admin-scopes.ts';
import { auditQuery, auditQueryOf } from '../../audit/audit-query-input.ts';
import { adminRoute } from '../admin-route.ts';
import { nextPage } from './admin-records.ts';

const auditEvent = z
  .object({
    reference: z.string(),
    at: z.iso.datetime(),
    action: z.string(),
    outcome: z.enum(['success', 'failure']),
    actor: z.string(),
    ip: z.string().nullable(),
    /** The `X-Request-Id` of the request the event happened in, as its log lines carry it. */
    request_id: z.string().nullable(),
    organisation_id: z.string().nullable(),
    profile_id: z.string().nullable(),
    client_id: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEvent' });

/** /admin/api/v1/audit: the audit log, newest first, a page at a time (scope admin:audit). */
export const auditRoutes = [
  adminRoute({
    operationId: 'queryAudit',
    method: 'get',
    path: '/audit/events',
    scope: ADMIN_SCOPES.audit,
    summary: 'Query the audit log, newest first',
    request: { query: auditQuery },
    response: {
      status: 200,
      description: 'A page of events',
      schema: z.object({ events: z.array(auditEvent), next: nextPage }),
    },
    handle: ({ query: q }, admin) => admin.audit.query(auditQueryOf(q)),
  }),
];

import { z } from 'zod';
import { pageQuery } from '../shared/page-query.ts';

/** A query of the audit log, as the admin API and the command line take it (snake_case, times in ISO 8601). */
export const auditQuery = z.strictObject({
  organisation_id: z.string().min(1).max(64).optional(),
  profile_id: z.string().min(1).max(64).optional(),
  client_id: z.string().min(1).max(64).optional(),
  actor: z.string().min(1).max(300).optional(),
  action: z.string().min(1).max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  ...pageQuery,
});

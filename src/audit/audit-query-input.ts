import { z } from 'zod';
import { pageQuery } from '../shared/page-query.ts';

/** A query of the audit log, as the admin API and the command line take it (snake_case, times in ISO 8601). */
export const auditQuery = z.strictObject({
  organisation_id: z.string().min(1).max(64).optional(),
  profile_id: z.string().min(1).max(64).optional(),
  client_id: z.string().min(1).max(64).optional(),
  actor: z
    .string()
    .min(1)
    .max(300)
    .optional()
    .meta({ description: 'e.g. admin:<client>, person:<upstream>:<sub>, operator:<name>' }),
  action: z.string().min(1).max(100).optional().meta({ description: 'e.g. association.created' }),
  from: z.iso.datetime({ offset: true }).optional().meta({ description: 'At or after' }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: 'Before' }),
  ...pageQuery,
});

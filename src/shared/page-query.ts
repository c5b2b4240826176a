import { z } from 'zod';

/** Keyset paging for lists: at most 500 a page, 50 unless asked. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50).meta({ description: 'Items per page' }),
  after: z.string().min(1).max(200).optional().meta({ description: 'The `next` of the previous page' }),
};

import coBody from 'co-body';
import type { Context } from 'koa';
import { AppError } from '../shared/errors.ts';

/** An import's body may be large (10,000 rows is about 1 MB); everything else in the admin API stays at 64 KB. */
export const IMPORT_BODY_LIMIT = '10mb';

/** The raw text of an import, CSV or JSON by its content type; anything else is refused before it is read. */
export async function readImportBody(ctx: Context): Promise<{ content: string; format: 'csv' | 'json' }> {
  const format = ctx.is('text/csv', 'application/csv') ? 'csv' : ctx.is('application/json') ? 'json' : undefined;
  if (!format)
    throw new AppError(
      415,
      'unsupported_media_type',
      `${ctx.get('content-type') || 'no content type'} is neither text/csv nor application/json`,
    );
  try {
    const content = await coBody.text(ctx.req, { limit: IMPORT_BODY_LIMIT, encoding: 'utf-8' });
    return { content, format };
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 413) throw new AppError(413, 'too_large', `import larger than ${IMPORT_BODY_LIMIT}`);
    throw new AppError(400, 'import_unreadable', (err as Error).message, {
      details: { problem: (err as Error).message },
    });
  }
}

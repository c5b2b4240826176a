import { bodyParser } from '@koa/bodyparser';
import type { Context, Middleware, Next } from 'koa';
import { AppError } from '../shared/errors.ts';

const parse = bodyParser({ enableTypes: ['json'], jsonLimit: '64kb', encoding: 'utf-8' });

/**
 * The admin API's request bodies: JSON of at most 64 KB, anything else refused (415) before it is read. Areas mount
 * it where they take JSON; an import reads its own body (import-body.ts: CSV or JSON, larger).
 */
export const jsonBody: Middleware = async (ctx: Context, next: Next) => {
  if (['POST', 'PUT', 'PATCH'].includes(ctx.method) && ctx.request.length && !ctx.is('application/json')) {
    throw new AppError(415, 'unsupported_media_type', `${ctx.get('content-type') || 'no content type'} is not JSON`);
  }
  await parse(ctx, next);
};

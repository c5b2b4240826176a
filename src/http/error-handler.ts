import type { Context, Middleware } from 'koa';
import { ERROR_CODES, isErrorCode, type MessageSource } from '../shared/error-codes.ts';
import { NotFoundError, UnavailableError, type AppError } from '../shared/errors.ts';
import { referenceCode } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import { errorFields } from '../shared/logger.ts';
import { toAppError } from '../shared/to-app-error.ts';
import type { Views } from './views.ts';

/** The one place where a thrown error becomes a response: a page for browsers, JSON for APIs; never a stack trace. */
export function errorHandler(deps: { views: Views; logger: Logger }): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new NotFoundError('not_found', 'no route');
    } catch (err) {
      respondWithError(ctx, toAppError(err), err, deps);
    }
  };
}

const TITLES: Record<number, string> = {
  400: 'This request cannot be completed',
  403: 'Not allowed',
  404: 'Page not found',
  410: 'This link can no longer be used',
  413: 'That was too much to send',
  429: 'Too many attempts',
  503: 'Temporarily unavailable',
};

export function respondWithError(
  ctx: Context,
  error: AppError,
  original: unknown,
  deps: { views: Views; logger: Logger },
): void {
  const reference = referenceCode();
  const line = {
    reference,
    status: error.status,
    code: error.code,
    method: ctx.method,
    path: redactPath(ctx.path),
    ...errorFields(original),
  };
  if (error.status >= 500) deps.logger.error('http.error', line);
  else deps.logger.warn('http.refused', line);

  const message = messageFor(deps.views, error, wantsJson(ctx));
  ctx.status = error.status;
  if (error instanceof UnavailableError) ctx.set('Retry-After', String(error.retryAfterSeconds));
  else if (typeof error.details.retryAfterSeconds === 'number')
    ctx.set('Retry-After', String(error.details.retryAfterSeconds));
  ctx.set('Cache-Control', 'no-store');

  if (wantsJson(ctx)) {
    ctx.body = { error: error.code, message, reference };
    return;
  }
  ctx.type = 'html';
  ctx.body = deps.views.render('errors/error', {
    title: TITLES[error.status] ?? (error.status >= 500 ? 'Something went wrong' : TITLES[400]),
    message,
    reference,
    code: error.code,
    ...error.details,
  });
}

/**
 * The sentence a person reads for an error. Each broker code's entry in ERROR_CODES says whether its page text
 * lives in views/errors/messages/<code>.hbs (and views/errors/api-messages/<code>.hbs where an API caller needs
 * other words than a person at a page); a code without one (oidc-provider's own, or one marked `template: false`)
 * shows its message when it was written to be shown, else the generic text.
 * Plain text: JSON and the command line show it as it is, and the error page escapes it once where it lands.
 */
export function messageFor(views: Views, error: AppError, forApi: boolean): string {
  const code = error.expose ? error.code : 'internal_error';
  const source: MessageSource | undefined = isErrorCode(code) ? ERROR_CODES[code] : undefined;
  if (source?.template) {
    const folder = forApi && source.apiTemplate ? 'api-messages' : 'messages';
    return views.text(`errors/${folder}/${code}`, error.details).trim();
  }
  return error.expose ? error.message : views.text('errors/messages/internal_error').trim();
}

function wantsJson(ctx: Context): boolean {
  if (ctx.path.startsWith('/admin/api/') || ctx.path.startsWith('/account/api/')) return true;
  return ctx.accepts('html', 'json') === 'json';
}

/** Association link and email-change confirmation tokens travel in URL paths; they must never reach a log line. */
export function redactPath(path: string): string {
  return path
    .replace(/^\/associate\/(?!continue$)[^/]+/, '/associate/[link]')
    .replace(/^\/account\/email\/confirm\/[^/]+/, '/account/email/confirm/[link]');
}

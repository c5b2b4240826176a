import type { Context, Middleware } from 'koa';
import { ERROR_CODES, isErrorCode, SENTENCE_VALUES, type MessageSource } from '../shared/error-codes.ts';
import { currentTraceIds } from '../observability/trace-ids.ts';
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

/** The statuses with a title of their own (errors.title.<status>); others read as 400 or 500. */
const TITLED = new Set([400, 403, 404, 410, 413, 429, 503]);

export function respondWithError(
  ctx: Context,
  error: AppError,
  original: unknown,
  deps: { views: Views; logger: Logger },
): void {
  const reference = referenceCode();
  // The access line of this request names the reference too (access-log.ts).
  ctx.state.errorReference = reference;
  // With tracing on, the trace beside the reference: support goes from a screenshot straight to the request's spans.
  // Only a sampled trace: an unsampled one is in no backend to look up.
  const traced = currentTraceIds();
  const traceId = traced?.sampled ? traced.traceId : undefined;
  const line = {
    reference,
    status: error.status,
    error_code: error.code,
    method: ctx.method,
    path: redactPath(ctx.path),
    ...errorFields(original),
  };
  if (error.status >= 500) deps.logger.error('http.error', line);
  else deps.logger.warn('http.refused', line);

  const language = deps.views.language(ctx);
  const message = messageFor(deps.views, error, wantsJson(ctx), language);
  ctx.status = error.status;
  if (error instanceof UnavailableError) ctx.set('Retry-After', String(error.retryAfterSeconds));
  else if (typeof error.details.retryAfterSeconds === 'number')
    ctx.set('Retry-After', String(error.details.retryAfterSeconds));
  ctx.set('Cache-Control', 'no-store');

  if (wantsJson(ctx)) {
    ctx.body = { error: error.code, message, reference, ...(traceId ? { trace_id: traceId } : {}) };
    return;
  }
  ctx.type = 'html';
  const titled = TITLED.has(error.status) ? error.status : error.status >= 500 ? 500 : 400;
  ctx.body = deps.views.page(ctx, 'errors/error', {
    title: deps.views.t(ctx, `errors.title.${titled}`),
    message,
    reference,
    code: error.code,
    ...error.details,
    // After the details: a detail cannot take the trace's place.
    traceId,
  });
}

/**
 * The sentence a person reads for an error, in their language. Each broker code's entry in ERROR_CODES says whether
 * it has a sentence of its own: `errors.message.<code>` in the catalogue (and `errors.apiMessage.<code>` where an
 * API caller needs other words than a person at a page), filled with the error's details and the support desk; a
 * code without one (oidc-provider's own, or one marked `template: false`) shows its message when it was written to
 * be shown, else the generic text. Plain text: JSON and the command line show it as it is, and the error page
 * escapes it once where it lands.
 */
export function messageFor(views: Views, error: AppError, forApi: boolean, language: string): string {
  const code = error.expose ? error.code : 'internal_error';
  const source: MessageSource | undefined = isErrorCode(code) ? ERROR_CODES[code] : undefined;
  const { catalogue } = views;
  const support = views.support(language);
  // A detail the throw site left out reads as `none` (`{name, select, none {This person} other {{name}}}`).
  const absent = Object.fromEntries(SENTENCE_VALUES.map((name) => [name, undefined]));
  const values = { ...absent, ...daysAsDates(error.details), supportName: support.name, supportEmail: support.email };
  if (source?.template) {
    const key = forApi && source.apiTemplate ? `errors.apiMessage.${code}` : `errors.message.${code}`;
    try {
      return catalogue.text(language, key, values).trim();
    } catch {
      // An operator's sentence naming a value this error does not carry: the words below rather than no answer.
    }
  }
  if (error.expose) return error.message;
  return catalogue.text(language, 'errors.message.internal_error', values).trim();
}

/**
 * A day among an error's details (`contractEndedOn: "2025-06-30"`) as a date, so that its sentence prints it the
 * reader's way (`{contractEndedOn, date, day}`).
 */
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const daysAsDates = (details: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(details).map(([k, v]) => [
      k,
      typeof v === 'string' && ISO_DAY.test(v) ? new Date(`${v}T00:00:00Z`) : v,
    ]),
  );

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

import { errors as oidcErrors } from 'oidc-provider';
import { isErrorCode, providerErrorCode } from './error-codes.ts';
import { AppError, FlowExpiredError, UnavailableError } from './errors.ts';
import { isDependencyOutage } from './outage.ts';

/**
 * Any thrown value as an AppError: the broker's own as they are, the rest by what they mean. Shared by the HTTP
 * error handler and the command line, which reports errors as the API does but must not import http/.
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof oidcErrors.SessionNotFound) return new FlowExpiredError();
  if (err instanceof oidcErrors.OIDCProviderError) {
    // oidc-provider's codes are passed on as they are (see ProviderErrorCode). Where the broker deliberately uses
    // the same OAuth word (access_denied, insufficient_scope) the code is the broker's too, with its sentence.
    const code = isErrorCode(err.error) ? err.error : providerErrorCode(err.error);
    return new AppError(err.status, code, err.error_description ?? err.message, { expose: err.status < 500 });
  }
  // Koa and its body parser throw http-errors: 413 too large, 415, 400 malformed body.
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError(
      status,
      status === 413 ? 'too_large' : 'bad_request',
      (err as Error).message || 'unreadable request',
    );
  }
  if (isDependencyOutage(err)) {
    return new UnavailableError('service_unavailable', 'a store did not answer', { cause: err, retryAfterSeconds: 10 });
  }
  // Malformed percent-encoding surfaces as URIError wherever the query is first decoded.
  if (err instanceof URIError) return new AppError(400, 'bad_address', 'malformed percent-encoding');
  return new AppError(500, 'internal_error', (err as Error)?.message ?? String(err), { expose: false, cause: err });
}

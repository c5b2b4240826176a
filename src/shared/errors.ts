import type { AppErrorCode, ErrorCode } from './error-codes.ts';

/**
 * Typed errors. Domain code throws these; one middleware (http/error-handler.ts) turns them into a JSON body for
 * APIs or a rendered page for browsers. `expose` says whether `message` was written for the person reading the
 * response; when false they see a generic sentence and the reference code, and the message goes to the log only.
 */
export class AppError extends Error {
  readonly status: number;
  /** One of the broker's codes (shared/error-codes.ts), or oidc-provider's own passed on by `toAppError`. */
  readonly code: AppErrorCode;
  readonly expose: boolean;
  /** Extra values a page may show (e.g. a client name); never secrets. */
  readonly details: Record<string, unknown>;

  constructor(
    status: number,
    code: AppErrorCode,
    message: string,
    options: { expose?: boolean; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.expose = options.expose ?? status < 500;
    this.details = options.details ?? {};
  }
}

export class BadRequestError extends AppError {
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(400, code, message, { details });
  }
}

export class ForbiddenError extends AppError {
  constructor(code: ErrorCode, message: string) {
    super(403, code, message);
  }
}

export class NotFoundError extends AppError {
  constructor(code: ErrorCode, message: string) {
    super(404, code, message);
  }
}

/** The sign-in this request belongs to is gone (expired, finished, or started again elsewhere). */
export class FlowExpiredError extends AppError {
  constructor(code: ErrorCode = 'flow_expired', message = 'This sign-in has expired or was already finished.') {
    super(400, code, message);
  }
}

/** An upstream identity provider refused or returned something the broker must not trust. */
export class UpstreamError extends AppError {
  /** Set when the upstream itself answered with an OAuth error: the portal is told, with its own state. */
  readonly oauthError?: { error: string; description: string };

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      status?: number;
      cause?: unknown;
      details?: Record<string, unknown>;
      oauthError?: { error: string; description: string };
    } = {},
  ) {
    super(options.status ?? 400, code, message, { cause: options.cause, details: options.details });
    this.oauthError = options.oauthError;
  }
}

/** A rate limit was reached: 429 with Retry-After, and the wait in minutes for the page that says so. */
export class RateLimitedError extends AppError {
  constructor(code: ErrorCode, message: string, retryAfterSeconds: number) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    super(429, code, message, { details: { retryAfterSeconds, minutes, plural: minutes !== 1 } });
  }
}

/** A dependency (upstream discovery, a store) cannot be reached; the person may retry. */
export class UnavailableError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(
    code: ErrorCode,
    message: string,
    options: { retryAfterSeconds?: number; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    // Its page says what is down and that retrying later is the fix.
    super(503, code, message, { cause: options.cause, expose: true, details: options.details });
    this.retryAfterSeconds = options.retryAfterSeconds ?? 30;
  }
}

/** Configuration that cannot run; every problem is listed so an operator fixes them in one pass. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

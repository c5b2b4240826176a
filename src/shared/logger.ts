import { pino, stdTimeFunctions, type DestinationStream } from 'pino';
import { traceLogFields } from '../observability/trace-ids.ts';
import { REDACTED_PATHS, REDACTED, scrubLogFields } from './log-redaction.ts';

/**
 * The logger type the code depends on: an event name (`area.verb`) and flat fields. Lines are JSON so that log
 * shippers need no parsing rules. Secrets, link tokens, codes and addresses are redacted by the logger itself
 * (log-redaction.ts), so a caller that passes one by mistake does not leak it; callers still should not.
 */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
  /**
   * Whether lines of `level` are written at all: a caller on a hot path (the access line of every request) skips
   * building fields nobody reads. Absent: assume they are.
   */
  enabled?(level: 'info' | 'warn' | 'error'): boolean;
}

export type LogLevel = 'info' | 'warn' | 'error' | 'silent';

/**
 * A pino logger behind the `Logger` type (docs/decisions/0023): one JSON line per event, `{ level, time, event,
 * ...fields }`, level as its name and time as ISO 8601, and `trace_id` and `span_id` while a span is active (with
 * tracing on: docs/decisions/0024). Lines go to stdout unless a `destination` is given (tests
 * capture them there, synchronously).
 */
export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): Logger {
  const logger = pino(
    {
      level,
      messageKey: 'event',
      // No pid and hostname on every line: the container runtime or the log shipper adds where a line came from.
      base: undefined,
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: scrubLogFields },
      redact: { paths: [...REDACTED_PATHS], censor: REDACTED },
      // An empty object without tracing: trace-ids.ts loads nothing of OpenTelemetry unless tracing started.
      mixin: traceLogFields,
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
  // Fields first, then the event name: a field called `event` cannot take the event's place.
  return {
    info: (event, fields = {}) => logger.info(fields, event),
    warn: (event, fields = {}) => logger.warn(fields, event),
    error: (event, fields = {}) => logger.error(fields, event),
    enabled: (lineLevel) => logger.isLevelEnabled(lineLevel),
  };
}

/** What an error contributes to a log line: its kind and message, and the stack only for unexpected errors. */
export function errorFields(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const causes = causeChain(err);
    return {
      error: err.name,
      message: err.message,
      // Why an upstream answer was refused lives in the causes: openid-client says "invalid response encountered",
      // the error it wraps says which check failed (e.g. `response parameter "iss" missing`).
      ...(causes.length ? { cause: causes.join(' <- ') } : {}),
      ...('status' in err && Number(err.status) < 500 ? {} : { stack: err.stack }),
    };
  }
  return { error: String(err) };
}

/** Each error in `err.cause`, outermost first, as "Name CODE: message" (messages only: causes that are not errors may hold response bodies). */
function causeChain(err: Error): string[] {
  const chain: string[] = [];
  for (let cause = err.cause; cause instanceof Error && chain.length < 5; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    chain.push(`${cause.name}${typeof code === 'string' ? ` ${code}` : ''}: ${cause.message}`);
  }
  return chain;
}

/**
 * The logger type the code depends on. Lines are JSON so that log shippers need no parsing rules.
 * Callers never pass secrets, link tokens or upstream codes here.
 */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export type LogLevel = 'info' | 'warn' | 'error' | 'silent';

const order: Record<LogLevel, number> = { info: 0, warn: 1, error: 2, silent: 3 };

export function createJsonLogger(level: LogLevel = 'info', write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  const emit = (lineLevel: Exclude<LogLevel, 'silent'>, event: string, fields: Record<string, unknown> = {}) => {
    if (order[lineLevel] < order[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lineLevel, event, ...fields }));
  };
  return {
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
  };
}

/** What an error contributes to a log line: its kind and message, and the stack only for unexpected errors. */
export function errorFields(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? err.cause : undefined;
    return {
      error: err.name,
      message: err.message,
      // Why an upstream answer was refused lives in the cause (e.g. openid-client's code and message).
      ...(cause ? { cause: `${cause.name}${(cause as { code?: string }).code ? ` ${(cause as { code?: string }).code}` : ''}: ${cause.message}` } : {}),
      ...(('status' in err && Number(err.status) < 500) ? {} : { stack: err.stack }),
    };
  }
  return { error: String(err) };
}

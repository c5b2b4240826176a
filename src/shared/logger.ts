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

export function createJsonLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger {
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

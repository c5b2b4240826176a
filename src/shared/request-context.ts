import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from './logger.ts';

/** What the broker knows about the request it is handling, wherever in the call chain it is asked. */
export interface RequestScope {
  requestId: string;
  /** What holds for the rest of the request once read, by its reader's key (stores/cached-reads.ts). */
  memo?: Map<string, unknown>;
  /**
   * Set where the request's answer waits for writes left to it (http/deferred-token-writes.ts): a store may then add
   * here what sends them, run once the answer is ready and before it goes out. Unset, every write is awaited where it
   * is made.
   */
  pendingWrites?: (() => Promise<void>)[] | undefined;
}

/**
 * The request being handled, carried through every await of it (AsyncLocalStorage), so log lines and audit events
 * name their request without each call site passing it on. Work a request starts in the background (a link email's
 * rendering and queueing) belongs to that request too; work a queue picks up later does not.
 */
export interface RequestContext {
  run<T>(scope: RequestScope, work: () => Promise<T>): Promise<T>;
  /** The request being handled, or undefined outside one (start-up, queue workers, timers). */
  current(): RequestScope | undefined;
}

export function createRequestContext(): RequestContext {
  const storage = new AsyncLocalStorage<RequestScope>();
  return {
    run: (scope, work) => storage.run(scope, work),
    current: () => storage.getStore(),
  };
}

/** `logger`, with `request_id` on every line written while a request is being handled. */
export function withRequestIds(logger: Logger, requests: RequestContext): Logger {
  const fieldsOf = (fields: Record<string, unknown> | undefined) => {
    const scope = requests.current();
    return scope ? { request_id: scope.requestId, ...fields } : fields;
  };
  return {
    info: (event, fields) => logger.info(event, fieldsOf(fields)),
    warn: (event, fields) => logger.warn(event, fieldsOf(fields)),
    error: (event, fields) => logger.error(event, fieldsOf(fields)),
    ...(logger.enabled ? { enabled: logger.enabled } : {}),
  };
}

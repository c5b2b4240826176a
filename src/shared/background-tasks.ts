import type { Logger } from './logger.ts';
import { errorFields } from './logger.ts';

/**
 * Work taken off the request path (docs/architecture.md §4: the "email sent" response must not depend on what the
 * directory holds). Tasks run on the next turn of the event loop; failures are logged, never thrown at the request.
 */
export function createBackgroundTasks(logger: Logger) {
  const running = new Set<Promise<void>>();
  return {
    run(name: string, task: () => Promise<void>): void {
      const promise = new Promise<void>((resolve) => setImmediate(resolve))
        .then(task)
        .catch((err: unknown) => logger.error('task.failed', { task: name, ...errorFields(err) }))
        .finally(() => running.delete(promise));
      running.add(promise);
    },
    /** Resolves once every task started so far (and those they start) has finished: for shutdown. */
    async drain(): Promise<void> {
      while (running.size) await Promise.all([...running]);
    },
  };
}

export type BackgroundTasks = ReturnType<typeof createBackgroundTasks>;

import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * For long synchronous loops (a 50,000-row import): call the returned function once per item and await it; every
 * `every` calls it waits one turn of the event loop, so that other requests (health checks, sign-ins) are answered
 * meanwhile instead of after the whole loop. Between turns it costs one resolved await.
 */
export function takeTurns(every = 1000): () => Promise<void> | undefined {
  let count = 0;
  return () => (++count % every === 0 ? nextTurn() : undefined);
}

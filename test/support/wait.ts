import type { ChildProcess } from 'node:child_process';
import type { Services } from '../../src/services.ts';

/**
 * Polls a condition until it holds (or fails after `timeoutMs`): waiting for a state, not for a duration. It looks
 * again after 10 ms, then less often up to every 50 ms: a condition that holds soon is seen at once, and one that
 * takes seconds (a server restarting, a queue recovering a job) is not asked a hundred times a second, each asking
 * taking CPU from the servers the test waits for.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pause = 10;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(50, Math.round(pause * 1.5));
  }
}

/** Every background task finished and no email waiting for delivery: what the broker will send, it has sent. */
export async function settled(services: Services): Promise<void> {
  await services.tasks.drain();
  await waitUntil(async () => (await services.delivery.pending()) === 0, 10_000, 'mail delivery settled');
}

/** Stops a server the tests started (SIGTERM, or `signal`) and waits for it to exit. */
export async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

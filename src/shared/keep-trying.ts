/**
 * Start-up work that needs a store which may be down: runs `attempt` (now, or first after `intervalMs` when
 * `startNow` is false because the caller already saw it fail) and, while it fails, again every `intervalMs`, one
 * attempt at a time, until it succeeds or `stop()` is called (the broker's close). `first` settles after the
 * first attempt, whatever its outcome: the broker starts either way and says "unavailable" meanwhile.
 */
export function keepTrying(
  attempt: () => Promise<void>,
  options: { intervalMs: number; startNow?: boolean; onFailure(err: Error): void; onRecovered?(): void },
): { first: Promise<void>; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failed = options.startNow === false;
  const later = () => {
    if (stopped) return;
    timer = setTimeout(() => void run(), options.intervalMs);
    timer.unref();
  };
  const run = async () => {
    try {
      await attempt();
      if (failed) options.onRecovered?.();
    } catch (err) {
      failed = true;
      options.onFailure(err as Error);
      later();
    }
  };
  let first = Promise.resolve();
  if (options.startNow === false) later();
  else first = run();
  return {
    first,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (100 on every Linux this runs on; asked anyway). */
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU seconds (user + system) the processes have used so far, read from the OS (/proc/<pid>/stat), so that a
 * server's cost per request does not depend on how busy the rest of the machine is. A process that is gone counts 0.
 */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the command name (which may hold spaces, inside parentheses): utime is the 14th, stime the 15th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / TICKS;
}

export interface LoadResult {
  ok: number;
  errors: number;
  firstError?: string;
  seconds: number;
  /** Latencies of the successful requests, sorted, in ms. */
  latencies: number[];
}

/**
 * `concurrency` workers each run `step` (given its worker number) back to back until `seconds` have passed or `max`
 * steps were started; bounded both ways, never open-ended.
 */
export async function runLoad(
  concurrency: number,
  seconds: number,
  max: number,
  step: (worker: number) => Promise<void>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let started = 0;
  const begin = performance.now();
  const deadline = begin + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < deadline && started < max) {
        started += 1;
        const at = performance.now();
        try {
          await step(worker);
          latencies.push(performance.now() - at);
        } catch (err) {
          errors += 1;
          firstError ??= (err as Error).message;
        }
      }
    }),
  );
  return {
    ok: latencies.length,
    errors,
    ...(firstError ? { firstError } : {}),
    seconds: (performance.now() - begin) / 1000,
    latencies: latencies.sort((a, b) => a - b),
  };
}

export const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : NaN;
};

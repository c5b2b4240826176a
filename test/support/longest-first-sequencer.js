import TestSequencer from '@jest/test-sequencer';

/** Files that start servers, processes or a browser: the longest, when jest has no timings yet (a fresh checkout, CI). */
const SLOW_WHEN_UNTIMED = ['/test/faults/', '/test/admin/cli.test.ts', '/test/multi-node/', '/test/browser/'];

/**
 * Jest's own order (files that failed last time, then the longest first by the last run's timings, so that no worker
 * is left with a long file at the end), with two corrections:
 * - A file two projects both run (the flows on memory and on production stores) has its timing saved under one
 *   project only, so jest took its other run for a new file and started it before everything else, the longest files
 *   included. Each run of a file now takes the timing of the other.
 * - Without any timing, the files that start servers, processes or a browser go first, then the rest by size.
 */
export default class LongestFirstSequencer extends TestSequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const timings = new Map(sorted.filter((t) => t.duration != null).map((t) => [t.path, t.duration]));
    for (const test of sorted) test.duration ??= timings.get(test.path);
    const slowRank = (test) => {
      const rank = SLOW_WHEN_UNTIMED.findIndex((part) => test.path.includes(part));
      return rank === -1 ? SLOW_WHEN_UNTIMED.length : rank;
    };
    // Array.prototype.sort is stable: ties keep jest's order (by file size).
    return sorted.sort((a, b) => {
      const failed = Number(this.hasFailed(b)) - Number(this.hasFailed(a));
      if (failed) return failed;
      if (a.duration != null && b.duration != null) return b.duration - a.duration;
      if (a.duration != null || b.duration != null) return a.duration == null ? -1 : 1;
      return slowRank(a) - slowRank(b);
    });
  }
}

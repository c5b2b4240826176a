import { median } from './measure.ts';

/** One measured cell of bench:compare: a path, at a concurrency, on one server. */
export interface Cell {
  path: string;
  level: number;
  server: string;
  perSecond: number;
  /** The median of `perCpuSecondByRound`. */
  perCpuSecond: number;
  /** The figure of each round, in order: the servers of one round ran one after the other, seconds apart. */
  perCpuSecondByRound: readonly number[];
  /** Per CPU-second of the server process alone (for the production stores: the broker without Redis and the database). */
  perOwnCpuSecond: number;
  p50: number;
  p99: number;
  errors: number;
  firstError?: string | undefined;
}

/** The targets of the comparison: per server CPU-second, as a share of bare oidc-provider's figure. */
const TARGETS: Record<string, Partial<Record<string, number>>> = {
  client_credentials: { memory: 0.8, shared: 0.5 },
  client_credentials_jwt: { memory: 0.8, shared: 0.5 },
  refresh_token: { memory: 0.8, shared: 0.5 },
};

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

/**
 * `a` per server CPU-second as a share of `b`'s. With rounds, the median of each round's share: the two servers of a
 * round ran seconds apart, so a machine whose speed drifts over minutes (one shared with other work) moves both
 * alike, where a share of two medians could take them from different rounds.
 */
export function shareOf(a: Cell, b: Cell): number {
  const [ra, rb] = [a.perCpuSecondByRound, b.perCpuSecondByRound];
  return ra.length === rb.length ? median(ra.map((value, i) => value / rb[i]!)) : a.perCpuSecond / b.perCpuSecond;
}

/** One line of a share table: the path, the concurrency, then the memory and shared brokers' column. */
const shareRow = (c: Cell, column: (server: 'memory' | 'shared') => string) =>
  `${c.path.padEnd(23)} ${String(c.level).padStart(5)}   ${column('memory').padEnd(16)} ${column('shared').padEnd(16)}`;

/**
 * The figures as tables: every cell, then each broker's figure per server CPU-second as a share of bare
 * oidc-provider's at the same path and concurrency, against its target.
 */
export function printComparison(cells: readonly Cell[], print: (line: string) => void): void {
  print('');
  const column = Math.max(7, ...cells.map((c) => c.server.length));
  print(
    `path                     conc  ${'server'.padEnd(column)}  req/s   req/CPU-s  (own CPU)   p50 ms   p99 ms  errors`,
  );
  for (const c of cells) {
    print(
      [
        c.path.padEnd(23),
        String(c.level).padStart(5),
        ` ${c.server.padEnd(column)}`,
        fixed(c.perSecond).padStart(6),
        fixed(c.perCpuSecond).padStart(11),
        `(${fixed(c.perOwnCpuSecond)})`.padStart(10),
        fixed(c.p50, 1).padStart(8),
        fixed(c.p99, 1).padStart(8),
        String(c.errors).padStart(7),
      ].join(' '),
    );
    if (c.firstError) print(`    first error: ${c.firstError}`);
  }
  print('');
  print(
    'per server CPU-second, broker ÷ bare oidc-provider (target in brackets; shared = broker + Redis + database; ' +
      "with rounds, the median of the rounds' shares)",
  );
  print('path                     conc   memory           shared');
  const find = (path: string, level: number, server: string) =>
    cells.find((c) => c.path === path && c.level === level && c.server === server);
  for (const c of cells) {
    if (c.server !== 'bare') continue;
    const ratio = (server: string) => {
      const cell = find(c.path, c.level, server);
      if (!cell) return '—';
      const share = shareOf(cell, c);
      const target = TARGETS[c.path]?.[server];
      const verdict =
        target === undefined || !Number.isFinite(share)
          ? ''
          : share >= target
            ? ` (≥${target} ok)`
            : ` (<${target} MISS)`;
      return `${fixed(share, 2)}${verdict}`;
    };
    print(shareRow(c, ratio));
  }
  // With BENCH_BASELINE: each broker against the same broker as the other checkout built it, in the same rounds.
  if (cells.some((c) => c.server.endsWith('@base'))) {
    print('');
    print('per server CPU-second, this checkout ÷ BENCH_BASELINE (the same stores, the same rounds)');
    print('path                     conc   memory           shared');
    const seen = new Set<string>();
    for (const c of cells.filter((cell) => cell.server.endsWith('@base'))) {
      if (seen.has(`${c.path}|${c.level}`)) continue;
      seen.add(`${c.path}|${c.level}`);
      const ratio = (server: string) => {
        const now = find(c.path, c.level, server);
        const before = find(c.path, c.level, `${server}@base`);
        return now && before ? `${fixed(shareOf(now, before), 2)}×` : '—';
      };
      print(shareRow(c, ratio));
    }
  }
  const signIns = cells.filter((c) => c.path === 'sign_in');
  if (signIns.length) {
    print('');
    print(
      'complete sign-in per server CPU-second: ' +
        signIns.map((c) => `${c.server}@${c.level} ${fixed(c.perCpuSecond, 1)}`).join(', '),
    );
  }
}

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AdminOperations } from '../admin/admin-operations.ts';
import type { AdminActor } from '../clients/admin-scopes.ts';
import { kindInput, type ProfileKinds } from '../directory/profile-kinds.ts';

/** What a command printed and how it ended: 0 done, 1 refused (not found, conflict, bad input), 2 usage, 3 unavailable. */
export interface CommandResult {
  exitCode: 0 | 1 | 2 | 3;
  stdout: string;
  stderr: string;
}

export const EXIT = { ok: 0, refused: 1, usage: 2, unavailable: 3 } as const;

export interface Invocation {
  ops: AdminOperations;
  who: AdminActor;
  args: string[];
  options: Record<string, string | boolean | undefined>;
  /** The configured profile kinds, which --kind must name. */
  kinds: ProfileKinds;
}

export interface Command {
  usage: string;
  summary: string;
  run(invocation: Invocation): Promise<unknown>;
  /** How a person reads the result; JSON (--json) is the same object as the admin API returns. */
  text?(result: never): string;
}

export class UsageError extends Error {}

export const required = (value: string | boolean | undefined, name: string): string => {
  if (typeof value !== 'string' || !value) throw new UsageError(`--${name} is required`);
  return value;
};
export const arg = (args: string[], index: number, name: string): string => {
  const value = args[index];
  if (!value) throw new UsageError(`<${name}> is required`);
  return value;
};
export const str = (value: string | boolean | undefined) => (typeof value === 'string' ? value : undefined);
export const defined = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export const table = (rows: Record<string, unknown>[], columns: string[]) => {
  if (!rows.length) return '(none)';
  const cells = [
    columns,
    ...rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '-' : String(r[c])))),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
};
export const fields = (record: Record<string, unknown>) =>
  Object.entries(record)
    .map(([k, v]) => `${k}: ${v !== null && typeof v === 'object' ? JSON.stringify(v) : (v ?? '-')}`)
    .join('\n');
export const more = (next: string | null | undefined) => (next ? `\n(more: --after ${next})` : '');

export function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read ${path} as JSON: ${(err as Error).message}`);
  }
}

export const paging = (options: Invocation['options']) => ({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(50)
    .parse(str(options.limit) ?? 50),
  after: str(options.after),
});

/** --kind, when given: one of the configured kinds, else refused naming them ("kind must be one of …"). */
export const kindOption = (value: string | boolean | undefined, kinds: ProfileKinds) =>
  str(value) === undefined ? undefined : z.object({ kind: kindInput(kinds) }).parse({ kind: str(value) }).kind;

export const organisationFields = (options: Invocation['options'], kinds: ProfileKinds) => ({
  accountNumber: required(options['account-number'], 'account-number'),
  name: required(options.name, 'name'),
  kind: kindOption(required(options.kind, 'kind'), kinds)!,
  ...(str(options['contract-ends-on']) ? { contractEndsOn: z.iso.date().parse(str(options['contract-ends-on'])) } : {}),
});

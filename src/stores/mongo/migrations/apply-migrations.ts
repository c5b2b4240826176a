import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from 'mongoose';
import type { Migration, MigrationRecord } from './migration.ts';

const DUPLICATE_KEY = 11000;

export type MigrationOptions = {
  log: (line: string) => void;
  /** How long to wait for a migration another run is applying before giving up. */
  waitMs?: number;
  pollMs?: number;
};

/**
 * Applies, in order, the migrations the database has not recorded yet (docs/decisions/0025). A run claims a migration
 * by inserting its record first: `_id` is unique, so when two runs start together (two nodes rolled at once) exactly
 * one insert succeeds and applies it, and the other waits until it is recorded as applied before going on, so no
 * migration is applied twice or before the one it follows. A failed `up` removes its claim, so the next run retries
 * it. Returns the ids it applied.
 */
export async function applyMigrations(
  connection: Connection,
  migrations: readonly Migration[],
  { log, waitMs = 600_000, pollMs = 500 }: MigrationOptions,
): Promise<string[]> {
  checkOrder(migrations);
  const records = connection.db!.collection<MigrationRecord>('migrations');
  const by = `${hostname()}:${process.pid}`;
  const applied: string[] = [];
  for (const migration of migrations) {
    for (;;) {
      const record = await records.findOne({ _id: migration.id });
      if (record?.state === 'applied') break;
      if (record) {
        await waitForOther(record, () => records.findOne({ _id: migration.id }), { log, waitMs, pollMs });
        continue;
      }
      const claimed = await records.insertOne({ _id: migration.id, state: 'applying', by, startedAt: new Date() }).then(
        () => true,
        (err: { code?: number }) => {
          if (err.code === DUPLICATE_KEY) return false;
          throw err;
        },
      );
      if (!claimed) continue;
      await applyOne(migration, connection, { log }, async (ok) => {
        if (ok) await records.updateOne({ _id: migration.id }, { $set: { state: 'applied', appliedAt: new Date() } });
        else await records.deleteOne({ _id: migration.id, by });
      });
      applied.push(migration.id);
      break;
    }
  }
  if (!applied.length) log(`nothing to do: the ${migrations.length} migration(s) of this release are applied`);
  return applied;
}

async function applyOne(
  migration: Migration,
  connection: Connection,
  { log }: Pick<MigrationOptions, 'log'>,
  settle: (ok: boolean) => Promise<void>,
) {
  const started = Date.now();
  log(`applying ${migration.id}: ${migration.description}`);
  try {
    await migration.up(connection, log);
  } catch (err) {
    // The migration's own error is the one reported; a failure to release the claim is attached to it.
    const released = await settle(false).then(
      () => undefined,
      (releaseError: unknown) => releaseError,
    );
    throw new Error(
      `${migration.id} failed, ${released ? `and its claim could not be released (${(released as Error).message})` : 'nothing recorded'} (run again once fixed): ${(err as Error).message}`,
      { cause: err },
    );
  }
  // The migration is done; recording it must not be lost to a moment's blip (a primary stepping down), or every
  // later run would wait on a claim nobody holds.
  await retry(() => settle(true), 5);
  log(`applied ${migration.id} in ${Date.now() - started} ms`);
}

/** `attempt` up to `times` times, a second apart; the last failure is thrown. */
async function retry(attempt: () => Promise<void>, times: number): Promise<void> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (n >= times) throw err;
      await sleep(1000);
    }
  }
}

/** Another run holds the claim: wait until it is applied, or released by a failure (then the caller claims it). */
async function waitForOther(
  claim: MigrationRecord,
  read: () => Promise<MigrationRecord | null>,
  { log, waitMs, pollMs }: Required<MigrationOptions>,
) {
  log(`waiting for ${claim._id}, which ${claim.by} is applying`);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const record = await read();
    if (!record || record.state === 'applied') return;
    if (Date.now() > deadline)
      throw new Error(
        `${claim._id} has been applying since ${claim.startedAt.toISOString()} (${claim.by}). If that run is gone, ` +
          `remove its claim (db.migrations.deleteOne({ _id: '${claim._id}', state: 'applying' })) and run again.`,
      );
    await sleep(pollMs);
  }
}

/** Ids unique and in ascending order: the order they apply in is the order they sort in. */
function checkOrder(migrations: readonly Migration[]) {
  migrations.forEach((migration, i) => {
    const before = migrations[i - 1];
    if (before && before.id >= migration.id)
      throw new Error(`migration ids must ascend: ${migration.id} comes after ${before.id}`);
  });
}

import type { mongo } from 'mongoose';
import { DirectoryConflict, type BatchResult } from '../../directory/directory-admin-store.ts';
import { mapLimited } from '../../shared/map-limited.ts';

export const DUPLICATE_KEY = 11000;
/**
 * Replacements in flight at once for a batch (an import): enough to hide round trips. More only queue up on a server
 * that writes one at a time (FerretDB on SQLite), until they pass the socket timeout.
 */
const WRITE_CONCURRENCY = 4;

/**
 * Whether a write broke a unique index. MongoDB says E11000 (code 11000); FerretDB says so on inserts, but on updates
 * reports its SQLite backend's "UNIQUE constraint failed" instead.
 */
export function isDuplicate(err: unknown): boolean {
  const { code, message, errmsg } = err as { code?: number; message?: string; errmsg?: string };
  return (
    code === DUPLICATE_KEY || /E11000|duplicate key|UNIQUE constraint failed/.test(`${message ?? ''} ${errmsg ?? ''}`)
  );
}

/**
 * Writes a batch, each item on its own, and says for each whether it was written or which rule it broke. New items
 * go in one unordered insert (fast on every server); which of them landed is then read back rather than taken from
 * the error's numbering, which MongoDB-compatible servers differ on. Existing items are replaced a few at a time.
 */
export const writeBatch = async <T extends { id: string }>(
  collection: mongo.Collection,
  items: T[],
  doc: (item: T) => Record<string, unknown>,
  conflict: (item: T) => (err: unknown) => Promise<never> | never,
): Promise<BatchResult[]> => {
  if (!items.length) return [];
  const ids = items.map((i) => i.id);
  const idsIn = (list: string[]) => ({ _id: { $in: list } }) as unknown as mongo.Filter<mongo.Document>;
  const present = async (list: string[]) =>
    new Set((await collection.find(idsIn(list), { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)));
  const existing = await present(ids);
  const fresh = items.filter((i) => !existing.has(i.id));
  const results = new Map<string, BatchResult>();
  if (fresh.length) {
    let failure: unknown;
    await collection
      .insertMany(
        fresh.map((i) => ({ _id: i.id, ...doc(i) }) as unknown as mongo.Document),
        { ordered: false },
      )
      .catch((err: unknown) => {
        failure = err;
      });
    const landed = failure ? await present(fresh.map((i) => i.id)) : undefined;
    for (const item of fresh) {
      if (!landed || landed.has(item.id)) results.set(item.id, { ok: true });
      else
        results.set(
          item.id,
          await outcomeOf(
            () => Promise.reject(isDuplicate(failure) ? failure : new Error((failure as Error).message)),
            conflict(item),
          ),
        );
    }
  }
  const replaced = await mapLimited(
    items.filter((i) => existing.has(i.id)),
    WRITE_CONCURRENCY,
    (item) =>
      outcomeOf(
        () => collection.replaceOne({ _id: item.id } as unknown as mongo.Filter<mongo.Document>, doc(item)),
        conflict(item),
      ),
  );
  items.filter((i) => existing.has(i.id)).forEach((item, index) => results.set(item.id, replaced[index]!));
  return items.map((i) => results.get(i.id)!);
};
const outcomeOf = async (
  write: () => Promise<unknown>,
  conflict: (err: unknown) => Promise<never> | never,
): Promise<BatchResult> => {
  try {
    await write().catch(conflict);
    return { ok: true };
  } catch (err) {
    if (err instanceof DirectoryConflict) return { ok: false, conflict: err.kind };
    // A timeout does not say whether the server applied the write.
    const message = (err as Error).message;
    return {
      ok: false,
      error: /timed out/i.test(message) ? `outcome unknown (${message}); import the file again to settle it` : message,
    };
  }
};

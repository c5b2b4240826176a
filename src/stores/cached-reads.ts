import { copyData } from '../shared/copy-data.ts';
/**
 * What changes a store's data, shared by every node: a counter raised after each write through any node, read
 * before each cached read (stores/redis/generation.ts). A cached answer is used only while the counter is where it
 * was when the answer was read, so a change made on one node is seen by the next read on every node, as without the
 * cache; what the cache saves is the database query (one Redis read instead), not freshness.
 */
export interface Generation {
  current(): Promise<string>;
  bump(): Promise<void>;
}

/** Method names that only read: every other method of a cached store raises the generation once it returns. */
const READS = /^(get|find|list|pending)[A-Z]?/;

/** A cached answer lives at most this long, whatever the counter says: a change made beside the broker (by hand in
 * the database) is seen within it. */
export const MAX_AGE_MS = 60_000;
/** Entries kept per store; past it the cache starts afresh rather than growing without end. */
export const MAX_ENTRIES = 20_000;

/**
 * `store` with the answers of the `cached` read methods kept per process, keyed by method and arguments, valid while
 * `generation` has not moved. Callers get copies, as from the database. Writes pass through and raise the
 * generation; reads not named pass through untouched. When the generation cannot be read (Redis away), the store
 * answers directly.
 */
export function withCachedReads<T extends object>(
  store: T,
  cached: readonly (keyof T & string)[],
  generation: Generation,
  clock: () => number = Date.now,
): T {
  const entries = new Map<string, { generation: string; at: number; value: unknown }>();
  const wrapped = new Map<PropertyKey, unknown>();
  const cachedNames = new Set<string>(cached);
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const known = wrapped.get(property);
      if (known) return known;
      const original = (value as (...args: unknown[]) => Promise<unknown>).bind(target);
      let method: (...args: unknown[]) => Promise<unknown>;
      if (cachedNames.has(property)) {
        method = async (...args) => {
          const current = await generation.current().catch(() => undefined);
          if (current === undefined) return original(...args);
          const key = `${property}\u0000${JSON.stringify(args)}`;
          const hit = entries.get(key);
          if (hit && hit.generation === current && clock() - hit.at < MAX_AGE_MS) return copyData(hit.value);
          const fresh = await original(...args);
          if (entries.size >= MAX_ENTRIES) entries.clear();
          entries.set(key, { generation: current, at: clock(), value: copyData(fresh) });
          return fresh;
        };
      } else if (READS.test(property)) {
        method = original;
      } else {
        method = async (...args) => {
          try {
            return await original(...args);
          } finally {
            // Also after a failed write: it may have changed something before it failed.
            entries.clear();
            await generation.bump().catch(() => undefined);
          }
        };
      }
      wrapped.set(property, method);
      return method;
    },
  });
}

/**
 * `generation`, read once per request: a request's lookups (the profile, its organisation and association, the
 * client: one after the other) share one Redis read. A write in the request forgets it, so the request's next read
 * sees its own change; another node's change is seen from the next request on.
 */
export function oncePerRequest(
  generation: Generation,
  key: string,
  scope: () => { memo?: Map<string, unknown> } | undefined,
): Generation {
  return readTogether({ only: { generation, key } }, scope).only;
}

/**
 * Several generations, each read once per request as by `oncePerRequest`, and read together: the first read of
 * any of them in a request asks for all in the same tick, which ioredis's auto-pipelining sends as single-key GETs
 * in one round trip (per node on a Redis Cluster, where the counters may sit in different slots, so not as one
 * MGET). A token request reads the client's and then the directory's: one round trip instead of two.
 */
export function readTogether<K extends string>(
  generations: Record<K, { generation: Generation; key: string }>,
  scope: () => { memo?: Map<string, unknown> } | undefined,
): Record<K, Generation> {
  const members = Object.values<{ generation: Generation; key: string }>(generations);
  const entries = Object.entries<{ generation: Generation; key: string }>(generations).map(
    ([name, { generation, key }]) =>
      [
        name,
        {
          current() {
            const request = scope();
            if (!request) return generation.current();
            const memo = (request.memo ??= new Map());
            if (!memo.has(key))
              for (const member of members) {
                if (memo.has(member.key)) continue;
                const read = member.generation.current();
                memo.set(member.key, read);
                // A failed read is not kept: the next lookup asks again.
                read.catch(() => memo.delete(member.key));
              }
            return memo.get(key) as Promise<string>;
          },
          async bump() {
            // Forgotten once raised: a lookup between the write and the raise uses the old generation, and what it
            // reads is then kept under that one, which the raise makes stale. Forgotten too when the raise fails:
            // this node's own count moved (withLocalChanges), and the request's next lookup must see it.
            try {
              await generation.bump();
            } finally {
              scope()?.memo?.delete(key);
            }
          },
        } satisfies Generation,
      ] as const,
  );
  return Object.fromEntries(entries) as Record<K, Generation>;
}

/**
 * A shared `generation` with this node's own writes counted beside it. A write whose raise of the shared counter fails
 * (Redis answered the write's neighbours but not its INCR) still makes every answer this node keeps stale at once,
 * rather than leaving it in use for up to MAX_AGE_MS: the node that made a change (disabled a client, rotated a
 * secret) never goes on serving what it replaced. Other nodes see the write at their next read once a later raise
 * moves the shared counter, or within MAX_AGE_MS.
 */
export function withLocalChanges(generation: Generation): Generation {
  let local = 0;
  return {
    // The shared value first, then the local count: what is read after this resolves is at least as new as both.
    current: async () => {
      const shared = await generation.current();
      return `${shared}.${local}`;
    },
    async bump() {
      local += 1;
      await generation.bump();
    },
  };
}

/** One process's generation, for a store no other process writes to. */
export function localGeneration(): Generation {
  let n = 0;
  return { current: async () => String(n), bump: async () => void (n += 1) };
}

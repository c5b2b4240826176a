import type { SessionStore } from '../../shared/session-store.ts';
import type { Clock } from '../../shared/clock.ts';

export function createMemoryPortalSessions<T>(clock: Clock): SessionStore<T> {
  const entries = new Map<string, { value: T; expiresAt: number }>();
  return {
    async get(id) {
      const entry = entries.get(id);
      return entry && entry.expiresAt > clock.now().getTime() ? structuredClone(entry.value) : undefined;
    },
    async set(id, value, ttlSeconds) {
      const now = clock.now().getTime();
      for (const [k, e] of entries) if (e.expiresAt <= now) entries.delete(k);
      entries.set(id, { value: structuredClone(value), expiresAt: now + ttlSeconds * 1000 });
    },
    async delete(id) {
      entries.delete(id);
    },
  };
}

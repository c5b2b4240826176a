import type { SessionStore } from '../../shared/session-store.ts';
import type { Clock } from '../../shared/clock.ts';
import { copyData } from '../../shared/copy-data.ts';

export function createMemoryPortalSessions<T>(clock: Clock): SessionStore<T> {
  const entries = new Map<string, { value: T; expiresAt: number }>();
  return {
    async get(id) {
      const entry = entries.get(id);
      return entry && entry.expiresAt > clock.now().getTime() ? copyData(entry.value) : undefined;
    },
    async set(id, value, ttlSeconds) {
      const now = clock.now().getTime();
      for (const [k, e] of entries) if (e.expiresAt <= now) entries.delete(k);
      entries.set(id, { value: copyData(value), expiresAt: now + ttlSeconds * 1000 });
    },
    async delete(id) {
      entries.delete(id);
    },
  };
}

import { compareNewestFirst, matchesFilter, type AuditEvent, type AuditLog } from '../../audit/audit-log.ts';

/**
 * The audit log in process memory, for the embedded default and tests. Bounded: past `capacity` events the
 * oldest go, so a long-running demo does not grow without end (production keeps everything in MongoDB).
 */
export function createMemoryAuditLog(capacity = 10_000): AuditLog {
  const events = new Map<string, AuditEvent>();
  return {
    async record(event) {
      if (events.has(event.id)) return;
      events.set(event.id, structuredClone(event));
      if (events.size > capacity) events.delete(events.keys().next().value!);
    },
    async query(filter) {
      return [...events.values()]
        .filter((e) => matchesFilter(e, filter))
        .sort(compareNewestFirst)
        .slice(0, filter.limit)
        .map((e) => structuredClone(e));
    },
  };
}

import { compareNewestFirst, expiryOf, matchesFilter, type AuditEvent, type AuditLog } from '../../audit/audit-log.ts';
import type { Clock } from '../../shared/clock.ts';
import { copyData } from '../../shared/copy-data.ts';

/**
 * The audit log in process memory, for the embedded default and tests. Bounded: past `capacity` events the
 * oldest go, so a long-running demo does not grow without end (production keeps everything in MongoDB). An event
 * past its retention is not returned, and goes at a later record once no event recorded before it is still kept.
 */
export function createMemoryAuditLog(
  options: { capacity?: number; retentionDays?: number; clock?: Clock } = {},
): AuditLog {
  const capacity = options.capacity ?? 10_000;
  const events = new Map<string, { event: AuditEvent; expiresAt?: Date }>();
  const now = () => options.clock?.now() ?? new Date();
  const liveAt = (at: Date) => (entry: { expiresAt?: Date }) => !entry.expiresAt || entry.expiresAt > at;
  return {
    async record(event) {
      if (events.has(event.id)) return;
      // Events are recorded in about the order they happen, so those past their retention are the oldest kept: they
      // go from the front up to the first live one, instead of every record reading all 10,000 (one recorded out of
      // order goes when it reaches the front; queries never return it).
      const live = liveAt(now());
      for (const [id, entry] of events) {
        if (live(entry)) break;
        events.delete(id);
      }
      events.set(event.id, {
        event: copyData(event),
        expiresAt: expiryOf(event.at, options.retentionDays ?? 0),
      });
      if (events.size > capacity) events.delete(events.keys().next().value!);
    },
    async query(filter) {
      return [...events.values()]
        .filter(liveAt(now()))
        .map((entry) => entry.event)
        .filter((e) => matchesFilter(e, filter))
        .sort(compareNewestFirst)
        .slice(0, filter.limit)
        .map((e) => copyData(e));
    },
  };
}

import type { UpstreamTransactionStore } from '../../federation/transaction-store.ts';
import type { Clock } from '../../shared/clock.ts';
import { copyData } from '../../shared/copy-data.ts';

export function createMemoryTransactionStore<Extra>(clock: Clock): UpstreamTransactionStore<Extra> {
  const entries = new Map<
    string,
    { value: Parameters<UpstreamTransactionStore<Extra>['put']>[1]; expiresAt: number }
  >();
  return {
    async put(stateHash, value, ttlSeconds) {
      const now = clock.now().getTime();
      for (const [k, e] of entries) if (e.expiresAt <= now) entries.delete(k);
      entries.set(stateHash, { value: copyData(value), expiresAt: now + ttlSeconds * 1000 });
    },
    async take(stateHash) {
      const entry = entries.get(stateHash);
      entries.delete(stateHash);
      return entry && entry.expiresAt > clock.now().getTime() ? entry.value : undefined;
    },
  };
}

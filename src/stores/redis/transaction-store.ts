import type { RedisClient } from './connection-options.ts';
import type { UpstreamTransactionStore } from '../../federation/transaction-store.ts';

/** Upstream round-trips in Redis; take() is GETDEL, so a transaction is used once across every node. */
export function createRedisTransactionStore<Extra>(
  redis: RedisClient,
  prefix = 'upstream-tx',
): UpstreamTransactionStore<Extra> {
  return {
    async put(stateHash, value, ttlSeconds) {
      await redis.set(`${prefix}:${stateHash}`, JSON.stringify(value), 'EX', ttlSeconds);
    },
    async take(stateHash) {
      const value = await redis.getdel(`${prefix}:${stateHash}`);
      return value ? JSON.parse(value) : undefined;
    },
  };
}

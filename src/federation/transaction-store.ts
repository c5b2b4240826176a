import type { UpstreamTransaction } from './upstream-transaction.ts';

/**
 * Upstream round-trips that do not belong to an oidc-provider interaction (the association link's
 * re-authentication, which may happen on another device). Keyed by the hash of the state; take() is single use.
 */
export interface UpstreamTransactionStore<Extra> {
  put(stateHash: string, value: { transaction: UpstreamTransaction; extra: Extra }, ttlSeconds: number): Promise<void>;
  take(stateHash: string): Promise<{ transaction: UpstreamTransaction; extra: Extra } | undefined>;
}

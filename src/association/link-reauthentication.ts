import type { UpstreamTransactionStore } from '../federation/transaction-store.ts';
import { beginUpstreamSignIn, UPSTREAM_ROUND_TRIP_SECONDS } from '../federation/upstream-transaction.ts';
import type { Upstream } from '../federation/upstreams.ts';
import type { Clock } from '../shared/clock.ts';
import { sha256 } from '../shared/ids.ts';

export type LinkTransactionStore = UpstreamTransactionStore<{ tokenHash: string }>;

/**
 * The upstream round-trip that proves who redeems a link (docs/architecture.md §4). It belongs to no oidc-provider
 * interaction (the link may be opened on another device), so the transaction is kept here, keyed by the hash of its
 * state, and taken once when the upstream answers.
 */
export function createLinkReauthentication(deps: { transactions: LinkTransactionStore; clock: Clock }) {
  return {
    async begin(upstream: Upstream, tokenHash: string, redirectUri: string): Promise<{ url: URL; state: string }> {
      const { url, transaction } = await beginUpstreamSignIn(upstream, {
        redirectUri,
        remember: false,
        forceLogin: true,
        // A fresh authentication is the point of this step: auth_time must fall within the round trip.
        maxAge: 0,
        now: deps.clock.now(),
        lifetimeSeconds: UPSTREAM_ROUND_TRIP_SECONDS,
      });
      await deps.transactions.put(
        sha256(transaction.state),
        { transaction, extra: { tokenHash } },
        UPSTREAM_ROUND_TRIP_SECONDS,
      );
      return { url, state: transaction.state };
    },

    /** The round-trip started for `state`, once: a replayed callback finds nothing. */
    async take(state: string) {
      const pending = await deps.transactions.take(sha256(state));
      return pending && { transaction: pending.transaction, tokenHash: pending.extra.tokenHash };
    },
  };
}

export type LinkReauthentication = ReturnType<typeof createLinkReauthentication>;

import type { EmailChange } from '../../account/email-change.ts';
import type { EmailChangeStore } from '../../account/email-change-store.ts';

/** How long a change stays on record past its expiry, so that its link can still say "used" or "expired". */
const KEEP_AFTER_EXPIRY_MS = 7 * 24 * 3600 * 1000;

/** Changes of registered email in memory. Every operation is synchronous inside, so consume() is atomic. */
export function createMemoryEmailChangeStore(): EmailChangeStore {
  const byHash = new Map<string, EmailChange>();
  const copy = (change: EmailChange): EmailChange => ({ ...change, requester: { ...change.requester } });

  return {
    async issue(change) {
      for (const [hash, other] of byHash) {
        // Forgotten as Redis would forget it, so a long-running demo does not grow without end.
        if (other.expiresAt.getTime() + KEEP_AFTER_EXPIRY_MS <= change.createdAt.getTime()) byHash.delete(hash);
        else if (other.profileId === change.profileId && other.status === 'pending') other.status = 'superseded';
      }
      byHash.set(change.tokenHash, copy(change));
    },
    async findByTokenHash(tokenHash) {
      const change = byHash.get(tokenHash);
      return change && copy(change);
    },
    async consume(tokenHash, at) {
      const change = byHash.get(tokenHash);
      if (!change || change.status !== 'pending' || change.expiresAt.getTime() <= at.getTime()) return undefined;
      change.status = 'confirmed';
      return copy(change);
    },
    async revokeForProfile(profileId) {
      for (const change of byHash.values())
        if (change.profileId === profileId && change.status === 'pending') change.status = 'revoked';
    },
  };
}

import { requesterKey, type AssociationLink } from '../../association/link.ts';
import type { LinkDelivery, LinkStore } from '../../association/link-store.ts';

/** Association links in memory. Every operation is synchronous inside, so claim() and complete() are atomic. */
export function createMemoryLinkStore(): LinkStore & { all(): AssociationLink[] } {
  const byHash = new Map<string, AssociationLink>();
  const deliveries = new Map<string, LinkDelivery>();
  const claimants = new Map<string, string>();
  const open = (link: AssociationLink) => link.status === 'active' || link.status === 'redeeming';
  const copy = (link: AssociationLink): AssociationLink => ({
    ...link,
    ...(link.requester ? { requester: { ...link.requester } } : {}),
  });

  return {
    async issue(link) {
      for (const other of byHash.values()) {
        // A link being redeemed is left to finish (its redemption revokes this one); only active ones are superseded.
        if (
          other.profileId === link.profileId &&
          other.status === 'active' &&
          requesterKey(other) === requesterKey(link)
        )
          other.status = 'superseded';
      }
      byHash.set(link.tokenHash, copy(link));
      deliveries.set(link.id, 'queued');
    },
    async findByTokenHash(tokenHash) {
      const link = byHash.get(tokenHash);
      return link && copy(link);
    },
    async claim(tokenHash, at, claimant) {
      const link = byHash.get(tokenHash);
      if (!link) return undefined;
      if (link.status === 'active' && link.expiresAt.getTime() > at.getTime()) {
        link.status = 'redeeming';
        claimants.set(tokenHash, claimant);
      }
      return link.status === 'redeeming' && claimants.get(tokenHash) === claimant ? copy(link) : undefined;
    },
    async complete(tokenHash, at) {
      const link = byHash.get(tokenHash);
      if (!link || link.status !== 'redeeming') return false;
      link.status = 'used';
      link.usedAt = at;
      return true;
    },
    async revokeForProfile(profileId, exceptTokenHash) {
      for (const link of byHash.values()) {
        if (link.profileId === profileId && open(link) && link.tokenHash !== exceptTokenHash) link.status = 'revoked';
      }
    },
    async listForProfile(profileId) {
      return [...byHash.values()]
        .filter((link) => link.profileId === profileId)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        .map((link) => ({ ...copy(link), delivery: deliveries.get(link.id) ?? 'queued' }));
    },
    async recordDelivery(_profileId, linkId, delivery) {
      if (deliveries.has(linkId)) deliveries.set(linkId, delivery);
    },
    all: () => [...byHash.values()].map(copy),
  };
}

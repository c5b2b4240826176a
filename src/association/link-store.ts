import type { AssociationLink } from './link.ts';

/** How far the email carrying a link got: handed to the queue, accepted by the SMTP server, or given up on. */
export type LinkDelivery = 'queued' | 'sent' | 'failed';

/** Association links, found by the hash of their token. */
export interface LinkStore {
  /**
   * Stores a new active link and marks superseded, in the same step, the profile's other active links issued to the
   * same requester (`requesterKey`); links of other requesters stay usable, and one being redeemed finishes.
   */
  issue(link: AssociationLink): Promise<void>;
  findByTokenHash(tokenHash: string): Promise<AssociationLink | undefined>;
  /**
   * Atomically claims a link for redemption by `claimant` (an upstream identity key): an active, unexpired link
   * becomes `redeeming`, held by the claimant, and is returned. A link the same claimant already holds is returned
   * again, so a retry after a failure part-way converges; anyone else gets undefined, as for anything else.
   */
  claim(tokenHash: string, at: Date, claimant: string): Promise<AssociationLink | undefined>;
  /** Atomically turns a `redeeming` link into a used one; true only for the one caller that did so. */
  complete(tokenHash: string, at: Date): Promise<boolean>;
  /** Revokes every active or redeeming link of a profile but the one with `exceptTokenHash` (after an association, an unlink). */
  revokeForProfile(profileId: string, exceptTokenHash?: string): Promise<void>;
  /** The profile's links still on record (kept a week past expiry), newest first, with their email's delivery. */
  listForProfile(profileId: string): Promise<(AssociationLink & { delivery: LinkDelivery })[]>;
  /** Notes how the email of link `linkId` fared (the delivery queue reports it); unknown links are ignored. */
  recordDelivery(profileId: string, linkId: string, delivery: Exclude<LinkDelivery, 'queued'>): Promise<void>;
}

import type { AssociationLink } from './link.ts';

/** Association links, found by the hash of their token. */
export interface LinkStore {
  /** Stores a new active link and marks the profile's other active links superseded, in one step. */
  issue(link: AssociationLink): Promise<void>;
  findByTokenHash(tokenHash: string): Promise<AssociationLink | undefined>;
  /** Atomically turns an active link into a used one; returns it only to the one caller that did so. */
  spend(tokenHash: string, at: Date): Promise<AssociationLink | undefined>;
  /** Revokes every active link of a profile (after an association, an unlink or a re-association). */
  revokeForProfile(profileId: string, exceptId?: string): Promise<void>;
}

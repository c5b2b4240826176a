import type { Association, UpstreamIdentity } from './model.ts';

/** Upstream identity ↔ profile. A profile has at most one association; an identity may hold many. */
export interface AssociationStore {
  findByIdentity(identity: Pick<UpstreamIdentity, 'upstreamId' | 'subject'>): Promise<Association[]>;
  findByProfile(profileId: string): Promise<Association | undefined>;
  /**
   * Makes `association` the profile's one association, replacing any other (a person who lost their old account
   * re-associates through a new link). Idempotent: writing the same association again changes nothing.
   * Returns the association it replaced, if it was a different identity.
   */
  associate(association: Association): Promise<{ replaced?: Association }>;
  /** Removes the profile's association (support's "unlink"); returns it, or undefined when there was none. */
  dissociate(profileId: string): Promise<Association | undefined>;
  /** Associations whose notice is still pending and that were made before `before`, oldest first, at most `limit`. */
  pendingNotices(before: Date, limit: number): Promise<Association[]>;
  /** Clears the pending notice of the profile's association, if it is still the one with `reference`. */
  noticeQueued(profileId: string, reference: string): Promise<void>;
}

import type { Association, UpstreamIdentity } from './model.ts';

/** Upstream identity ↔ profile. A profile has at most one association; an identity may hold many. */
export interface AssociationStore {
  findByIdentity(identity: Pick<UpstreamIdentity, 'upstreamId' | 'subject'>): Promise<Association[]>;
  findByProfile(profileId: string): Promise<Association | undefined>;
}

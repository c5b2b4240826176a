import type { EmailChange } from './email-change.ts';

/** Pending changes of registered email, found by the hash of their token (memory, or Redis with a TTL). */
export interface EmailChangeStore {
  /**
   * Stores a new pending change and supersedes, in the same step, the profile's pending ones: only the newest
   * request a person made can be confirmed.
   */
  issue(change: EmailChange): Promise<void>;
  /** The change with this token hash, whatever its status, while it is on record (at least a week past expiry). */
  findByTokenHash(tokenHash: string): Promise<EmailChange | undefined>;
  /**
   * Atomically turns a pending change unexpired at `at` into a confirmed one and returns it, for one caller only;
   * every other caller, and any other change, gets undefined.
   */
  consume(tokenHash: string, at: Date): Promise<EmailChange | undefined>;
  /** Revokes the profile's pending change, if any (its registered email changed another way). */
  revokeForProfile(profileId: string): Promise<void>;
}

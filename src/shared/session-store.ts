/**
 * Server-side sessions of a web client, per browser: what the account console (and each demo portal) got from the
 * broker; also short-lived records of the broker's own that are read by key (session details, sign-outs under way).
 * They live in the broker's stores, so every node of a deployment shares them.
 */
export interface SessionStore<T> {
  get(id: string): Promise<T | undefined>;
  /** Stores the session for `ttlSeconds` from now. */
  set(id: string, value: T, ttlSeconds: number): Promise<void>;
  delete(id: string): Promise<void>;
}

/**
 * Where a demo portal keeps its sessions (what it got from the broker, per browser). A real portal has its own
 * session store; the demo's lives in the broker's stores so that several demo nodes share it.
 */
export interface PortalSessionStore<T> {
  get(id: string): Promise<T | undefined>;
  /** Stores the session for `ttlSeconds` from now. */
  set(id: string, value: T, ttlSeconds: number): Promise<void>;
}

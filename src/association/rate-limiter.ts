/** A counter per key over a window. Backed by memory in the demo, by Redis in production. */
export interface RateLimiter {
  /**
   * Counts one attempt for `key`; `allowed` is false once the window's budget is spent. `used` is how many attempts
   * the window has counted so far, this one included (refused ones too).
   */
  consume(key: string): Promise<{ allowed: boolean; retryAfterSeconds: number; used: number }>;
}

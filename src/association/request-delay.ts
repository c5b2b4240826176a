import { randomInt } from 'node:crypto';

/** How long after the "check your email" response a link request's own work starts, in milliseconds. */
export type LinkRequestDelay = () => number;

/**
 * A random moment 100–600 ms after the response (docs/decisions/0005): the directory lookup and the rendering for a
 * registered address share the event loop with the requester's next request, and must not line up with it.
 */
export const randomLinkRequestDelay: LinkRequestDelay = () => 100 + randomInt(500);

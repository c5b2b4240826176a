import { z } from 'zod';

/** The settings of one resource server (`resourceServers`, by audience URL, in the configuration; schema.ts). */
export const resourceServerSchema = z.object({
  /** Space-separated scopes a client may ask for at this resource server. */
  scope: z.string().default('email profile org_profile'),
  /** Lifetime of JWT access tokens for this audience, in seconds. */
  accessTokenTtlSeconds: z.number().int().positive().default(600),
});

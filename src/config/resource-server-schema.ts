import { z } from 'zod';
import { DEFAULT_SIGNING_ALG, SIGNING_ALGS } from '../oidc/signing-keys.ts';

/** The settings of one resource server (`resourceServers`, by audience URL, in the configuration; schema.ts). */
export const resourceServerSchema = z.object({
  /** Space-separated scopes a client may ask for at this resource server. */
  scope: z.string().default('email profile org_profile'),
  /** Lifetime of JWT access tokens for this audience, in seconds. */
  accessTokenTtlSeconds: z.number().int().positive().default(600),
  /**
   * What its JWT access tokens are signed with: RS256, ES256 or EdDSA (Ed25519). The key set must hold a key of that
   * algorithm (`npm run keys` makes one of each); a resource server verifying many tokens checks ES256 and EdDSA
   * signatures faster, and they are smaller.
   */
  accessTokenSigningAlg: z.enum(SIGNING_ALGS).default(DEFAULT_SIGNING_ALG),
});

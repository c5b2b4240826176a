import { z } from 'zod';

/** One upstream identity provider the broker federates to (`upstreams` in the configuration; schema.ts). */
export const upstreamSchema = z.object({
  /** Stable id used in URLs and as half of every upstream identity key: never change it once people have signed in. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lower-case letters, digits and dashes, at most 32'),
  /** What people see on the sign-in button, e.g. "Microsoft account". */
  name: z.string().min(1).max(60),
  /**
   * The issuer to discover (`<issuer>/.well-known/openid-configuration`). Microsoft personal accounts:
   * https://login.microsoftonline.com/consumers/v2.0 (see README "Adding an upstream" for its issuer quirk).
   */
  issuer: z.url(),
  clientId: z.string().min(1),
  /** Omit for a public client; then only PKCE protects the code. */
  clientSecret: z.string().min(1).optional(),
  scopes: z.array(z.string().min(1)).default(['openid', 'email', 'profile']),
  enabled: z.boolean().default(true),
  /**
   * Talk to a plain-http issuer: only for a development upstream (localhost included), refused in production. A
   * plain-http issuer without it is refused at start (openid-client would refuse it at every sign-in).
   */
  allowInsecureHttp: z.boolean().default(false),
  /** Upper bound for each call to the upstream (discovery, token, JWKS), in seconds. */
  timeoutSeconds: z.number().int().min(1).max(30).default(5),
  /**
   * Where a person signs out of this upstream by hand, linked from the broker's signed-out page when the upstream
   * has no end-session endpoint (RP-initiated logout) the broker could send them through.
   */
  signOutUri: z.url({ protocol: /^https?$/ }).optional(),
  /** Where a person creates an account at this upstream: "Don't have an account? Create one" on the sign-in page. */
  signupUri: z.url({ protocol: /^https?$/ }).optional(),
  /** Where a person resets a forgotten password at this upstream: "Forgot your password?" on the sign-in page. */
  passwordResetUri: z.url({ protocol: /^https?$/ }).optional(),
  /** This upstream's own support, linked from the pages about signing in with the wrong account. */
  supportUri: z.url({ protocol: /^https?$/ }).optional(),
});
export type UpstreamConfig = z.output<typeof upstreamSchema>;

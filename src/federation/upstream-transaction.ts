import * as client from 'openid-client';
import { randomToken } from '../shared/ids.ts';
import type { Upstream } from './upstreams.ts';

/** How long a person may take at the upstream before its answer is refused. */
export const UPSTREAM_ROUND_TRIP_SECONDS = 600;

/** What the broker must remember between sending a person upstream and their return: all single-use secrets. */
export interface UpstreamTransaction {
  upstreamId: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  /** "Sign me in automatically", carried through the round-trip. */
  remember: boolean;
  /** Epoch seconds; a transaction is refused after it (bounded by the interaction's own lifetime too). */
  expiresAt: number;
  /** Set for a forced re-authentication: the ID token's auth_time must be this recent (seconds, plus clock tolerance). */
  maxAge?: number;
}

/**
 * Builds the upstream authorization URL with state, nonce and PKCE S256. `forceLogin` asks the upstream for a
 * fresh authentication (prompt=login), used when the portal itself asked for one.
 */
export async function beginUpstreamSignIn(
  upstream: Upstream,
  options: {
    redirectUri: string;
    remember: boolean;
    forceLogin: boolean;
    now: Date;
    lifetimeSeconds: number;
    maxAge?: number;
  },
): Promise<{ url: URL; transaction: UpstreamTransaction }> {
  const configuration = await upstream.configuration();
  const transaction: UpstreamTransaction = {
    upstreamId: upstream.config.id,
    state: randomToken(),
    nonce: randomToken(),
    codeVerifier: client.randomPKCECodeVerifier(),
    remember: options.remember,
    expiresAt: Math.floor(options.now.getTime() / 1000) + options.lifetimeSeconds,
    ...(options.maxAge === undefined ? {} : { maxAge: options.maxAge }),
  };
  const parameters: Record<string, string> = {
    redirect_uri: options.redirectUri,
    scope: upstream.config.scopes.join(' '),
    state: transaction.state,
    nonce: transaction.nonce,
    code_challenge: await client.calculatePKCECodeChallenge(transaction.codeVerifier),
    code_challenge_method: 'S256',
  };
  if (options.forceLogin) parameters.prompt = 'login';
  // max_age obliges the upstream to say when the person authenticated (auth_time), so freshness can be checked.
  if (options.maxAge !== undefined) parameters.max_age = String(options.maxAge);
  return { url: client.buildAuthorizationUrl(configuration, parameters), transaction };
}

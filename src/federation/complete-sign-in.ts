import * as client from 'openid-client';
import type { UpstreamIdentity } from '../directory/model.ts';
import { UnavailableError, UpstreamError } from '../shared/errors.ts';
import type { UpstreamTransaction } from './upstream-transaction.ts';
import type { Upstream } from './upstreams.ts';

const MAX_CLOCK_SKEW_SECONDS = 60;

/**
 * Turns the upstream's redirect back into a validated identity. openid-client checks, before any token request,
 * the state, the RFC 9207 `iss` parameter (required when the upstream advertises it: mix-up defence), and an
 * error response; then, on the ID token: signature and algorithm against the upstream's JWKS, `iss`, `aud`, `exp`,
 * the nonce (and with non-repudiation checks on, the signature against the upstream's JWKS); the broker adds a
 * bound on `iat`. PKCE's verifier goes with the token request.
 */
export async function completeUpstreamSignIn(
  upstream: Upstream,
  transaction: UpstreamTransaction,
  callback: { redirectUri: string; query: URLSearchParams; now: Date },
): Promise<{ identity: UpstreamIdentity; idToken: string }> {
  const configuration = await upstream.configuration();
  const currentUrl = new URL(callback.redirectUri);
  for (const [k, v] of callback.query) currentUrl.searchParams.append(k, v);

  let claims: client.IDToken | undefined;
  let idToken: string | undefined;
  try {
    const tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
      expectedState: transaction.state,
      expectedNonce: transaction.nonce,
      pkceCodeVerifier: transaction.codeVerifier,
      idTokenExpected: true,
      ...(transaction.maxAge === undefined ? {} : { maxAge: transaction.maxAge }),
    });
    claims = tokens.claims();
    idToken = tokens.id_token;
  } catch (err) {
    throw classify(upstream, err);
  }
  // oauth4webapi accepts any `iat`; a token "issued" in the future means a broken or hostile upstream clock.
  if (claims && claims.iat > Math.floor(callback.now.getTime() / 1000) + MAX_CLOCK_SKEW_SECONDS) {
    throw new UpstreamError('upstream_response_invalid', 'upstream ID token issued in the future', {
      details: { upstream: upstream.config.name },
    });
  }
  if (!claims?.sub) {
    throw new UpstreamError('upstream_response_invalid', 'upstream ID token without sub', {
      details: { upstream: upstream.config.name },
    });
  }
  return {
    identity: {
      upstreamId: upstream.config.id,
      subject: claims.sub,
      email: typeof claims.email === 'string' ? claims.email : undefined,
      name: typeof claims.name === 'string' ? claims.name : undefined,
      authTime: typeof claims.auth_time === 'number' ? claims.auth_time : undefined,
    },
    // Kept with the broker session as the hint for the upstream's end-session endpoint (sessions/session-details.ts).
    idToken: idToken!,
  };
}

function classify(upstream: Upstream, err: unknown): Error {
  const name = upstream.config.name;
  if (err instanceof client.AuthorizationResponseError) {
    // The upstream said no (cancelled, unavailable, or anything else): the portal hears it as an OAuth error.
    const error = err.error === 'temporarily_unavailable' ? 'temporarily_unavailable' : 'access_denied';
    const description =
      err.error === 'access_denied'
        ? 'The sign-in was cancelled at the upstream identity provider.'
        : `The upstream identity provider refused the sign-in (${err.error}).`;
    return new UpstreamError(
      err.error === 'access_denied' ? 'access_denied' : 'upstream_refused',
      `upstream answered ${err.error}`,
      { cause: err, oauthError: { error, description }, details: { upstream: name, upstreamError: err.error } },
    );
  }
  if (err instanceof client.ResponseBodyError) {
    // invalid_grant and friends: the code was spent, expired or not ours. The person can simply start again.
    return new UpstreamError('upstream_refused', `upstream token endpoint answered ${err.error}`, {
      cause: err,
      details: { upstream: name, upstreamError: err.error },
    });
  }
  const code = (err as { code?: string }).code;
  // fetch() reports an unreachable server as TypeError("fetch failed"); any other TypeError is a bug, not an outage.
  if (
    (err instanceof TypeError && err.message === 'fetch failed') ||
    code === 'OAUTH_TIMEOUT' ||
    code === 'OAUTH_ABORT' ||
    code === 'OAUTH_RESPONSE_IS_NOT_CONFORM'
  ) {
    return new UnavailableError('upstream_unavailable', 'upstream unreachable or too slow', {
      cause: err,
      details: { upstream: name },
    });
  }
  if (err instanceof client.ClientError || err instanceof client.WWWAuthenticateChallengeError) {
    return new UpstreamError('upstream_response_invalid', 'upstream response failed validation', {
      cause: err,
      details: { upstream: name },
    });
  }
  return new UpstreamError('upstream_response_invalid', 'upstream response failed validation', {
    cause: err,
    details: { upstream: name },
  });
}

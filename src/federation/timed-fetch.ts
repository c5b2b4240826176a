import type { CustomFetch, ServerMetadata } from 'openid-client';
import type { Metrics, UpstreamEndpoint } from '../shared/metrics.ts';

/**
 * The HTTP calls openid-client makes to one upstream (discovery, JWKS, token, userinfo), timed for the metrics by
 * endpoint. A call that does not come back, or comes back with an error status, also counts as an error with its
 * reason: an upstream that is down, slow or refusing the broker's client shows here before people call support.
 */
export function timedFetch(
  upstream: string,
  metrics: Metrics,
  metadata: () => ServerMetadata | undefined,
): CustomFetch {
  return async (url, options) => {
    const endpoint = endpointOf(url, metadata());
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      // openid-client's options are fetch's own; its body type is only declared more widely than lib.dom's.
      const response = await fetch(url, options as RequestInit);
      const error = response.status >= 500 ? 'server_error' : response.status >= 400 ? 'refused' : undefined;
      metrics.upstreamCall({ upstream, endpoint, seconds: seconds(), ...(error ? { error } : {}) });
      return response;
    } catch (err) {
      const name = (err as { name?: unknown }).name;
      const error = name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'unreachable';
      metrics.upstreamCall({ upstream, endpoint, seconds: seconds(), error });
      throw err;
    }
  };
}

/** Which of the upstream's endpoints a URL is, by its discovered metadata (the discovery document by its path). */
function endpointOf(url: string, metadata: ServerMetadata | undefined): UpstreamEndpoint {
  const bare = url.split('?')[0];
  // The metadata first: many providers publish their keys under /.well-known/ too (…/.well-known/jwks.json).
  if (bare === metadata?.token_endpoint) return 'token';
  if (bare === metadata?.userinfo_endpoint) return 'userinfo';
  if (bare === metadata?.jwks_uri) return 'jwks';
  if (bare?.includes('/.well-known/')) return 'discovery';
  return 'other';
}

import * as client from 'openid-client';
import type { UpstreamConfig } from '../config/upstream-schema.ts';
import { UnavailableError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { errorFields } from '../shared/logger.ts';
import type { Metrics } from '../shared/metrics.ts';
import { timedFetch } from './timed-fetch.ts';

export interface Upstream {
  config: UpstreamConfig;
  /** The openid-client configuration, discovered on first use and kept; a failed discovery is retried next time. */
  configuration(): Promise<client.Configuration>;
}

/**
 * The configured upstream identity providers. Discovery is lazy so that the broker starts even while an upstream
 * is down (and so the embedded development upstream, served by this same process, can be discovered once it listens).
 */
export function createUpstreams(configs: readonly UpstreamConfig[], logger: Logger, metrics: Metrics) {
  const upstreams = new Map<string, Upstream>();

  for (const config of configs) {
    let pending: Promise<client.Configuration> | undefined;
    let metadata: client.ServerMetadata | undefined;
    const discover = async () => {
      const options: client.DiscoveryRequestOptions = { timeout: config.timeoutSeconds };
      if (config.allowInsecureHttp) options.execute = [client.allowInsecureRequests];
      // Kept by the configuration for every later call to this upstream.
      if (metrics.enabled) options[client.customFetch] = timedFetch(config.id, metrics, () => metadata);
      try {
        const discovered = await client.discovery(
          new URL(config.issuer),
          config.clientId,
          config.clientSecret,
          config.clientSecret ? client.ClientSecretBasic(config.clientSecret) : client.None(),
          options,
        );
        discovered.timeout = config.timeoutSeconds;
        metadata = discovered.serverMetadata();
        // openid-client trusts a code-flow ID token for arriving over TLS (OIDC Core §3.1.3.7) and skips its
        // signature; the broker verifies it against the upstream's JWKS anyway (unknown kid, wrong key).
        client.enableNonRepudiationChecks(discovered);
        return discovered;
      } catch (err) {
        logger.warn('upstream.discovery_failed', { upstream: config.id, ...errorFields(err) });
        throw new UnavailableError('upstream_unavailable', `${config.name} cannot be reached right now`, {
          cause: err,
          details: { upstream: config.name },
        });
      }
    };
    upstreams.set(config.id, {
      config,
      configuration() {
        pending ??= discover().catch((err: unknown) => {
          pending = undefined;
          throw err;
        });
        return pending;
      },
    });
  }

  return {
    get(id: string): Upstream | undefined {
      const upstream = upstreams.get(id);
      return upstream?.config.enabled ? upstream : undefined;
    },
    /** Enabled upstreams, optionally narrowed to the ids a client allows, in configuration order. */
    enabled(allowedIds?: readonly string[]): UpstreamConfig[] {
      return configs.filter((c) => c.enabled && (!allowedIds || allowedIds.includes(c.id)));
    },
  };
}

export type Upstreams = ReturnType<typeof createUpstreams>;

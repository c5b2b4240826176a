import type Provider from 'oidc-provider';
import { errors, type ClientMetadata } from 'oidc-provider';
import type { Clock } from '../shared/clock.ts';
import { ConfigError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { ClientStore } from './client-store.ts';

export interface RegisterDeps {
  provider: Provider;
  clients: ClientStore;
  clock: Clock;
  logger: Logger;
}

/**
 * Writes the clients named by configuration into the client store, at every start. Configuration owns their
 * metadata (an edit to the file takes effect at the next start, and a client removed from it is removed from the
 * store); whether one is enabled stays an administrator's decision, so a client disabled in an emergency stays
 * disabled across restarts.
 *
 * Every client is validated with oidc-provider's own validation first, so a bad one stops the start with its
 * reason and nothing is written. If the store cannot be written (MongoDB down at start), the broker starts anyway,
 * answering "unavailable" until the store is back, and the writing is retried in the background until it
 * succeeds; `stop()` ends the retries (the broker's close).
 */
export async function registerConfiguredClients(deps: RegisterDeps, configured: readonly ClientMetadata[]): Promise<{ stop(): void }> {
  const problems: string[] = [];
  for (const metadata of configured) {
    try {
      await deps.provider.Client.validate(structuredClone(metadata));
    } catch (err) {
      const reason = err instanceof errors.OIDCProviderError ? err.error_description ?? err.message : (err as Error).message;
      problems.push(`clients.${String(metadata.client_id)}: ${reason}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);

  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const attempt = async (): Promise<void> => {
    try {
      await writeClients(deps, configured);
      if (timer) deps.logger.info('clients.registered', { count: configured.length });
    } catch (err) {
      deps.logger.warn('clients.registration_deferred', { message: (err as Error).message });
      // One attempt at a time, every 2 s, until one succeeds or the broker closes.
      if (!stopped) {
        timer = setTimeout(() => void attempt(), 2000);
        timer.unref();
      }
    }
  };
  await attempt();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

async function writeClients(deps: RegisterDeps, configured: readonly ClientMetadata[]): Promise<void> {
  const now = deps.clock.now();
  const named = new Set(configured.map((m) => String(m.client_id)));
  for (const metadata of configured) {
    const clientId = String(metadata.client_id);
    if ((await deps.clients.find(clientId))?.source === 'admin') deps.logger.warn('clients.taken_over_by_configuration', { client: clientId });
    await deps.clients.register({ clientId, metadata: structuredClone(metadata), status: 'active', source: 'configuration', createdAt: now, updatedAt: now });
  }
  for (const client of await deps.clients.list()) {
    if (client.source === 'configuration' && !named.has(client.clientId)) {
      await deps.clients.remove(client.clientId);
      deps.logger.info('clients.removed_from_configuration', { client: client.clientId });
    }
  }
}

import type Provider from 'oidc-provider';
import { errors, type ClientMetadata } from 'oidc-provider';
import type { Clock } from '../shared/clock.ts';
import { ConfigError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { keepTrying } from '../shared/keep-trying.ts';
import { newTokenGeneration } from './token-generation.ts';
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
export async function registerConfiguredClients(
  deps: RegisterDeps,
  configured: readonly ClientMetadata[],
): Promise<{ stop(): void }> {
  const problems: string[] = [];
  for (const metadata of configured) {
    try {
      await deps.provider.Client.validate(structuredClone(metadata));
    } catch (err) {
      const reason =
        err instanceof errors.OIDCProviderError ? (err.error_description ?? err.message) : (err as Error).message;
      problems.push(`clients.${String(metadata.client_id)}: ${reason}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);

  const registration = keepTrying(() => writeClients(deps, configured), {
    intervalMs: 2000,
    onFailure: (err) => deps.logger.warn('clients.registration_deferred', { message: err.message }),
    onRecovered: () => deps.logger.info('clients.registered', { count: configured.length }),
  });
  await registration.first;
  return registration;
}

async function writeClients(deps: RegisterDeps, configured: readonly ClientMetadata[]): Promise<void> {
  const now = deps.clock.now();
  const named = new Set(configured.map((m) => String(m.client_id)));
  // One read of what is stored, for both the takeover warning and the removals.
  const stored = await deps.clients.list();
  const adminMade = new Set(stored.filter((c) => c.source === 'admin').map((c) => c.clientId));
  for (const metadata of configured) {
    const clientId = String(metadata.client_id);
    if (adminMade.has(clientId)) deps.logger.warn('clients.taken_over_by_configuration', { client: clientId });
    await deps.clients.register({
      clientId,
      metadata: structuredClone(metadata),
      status: 'active',
      source: 'configuration',
      tokenGeneration: newTokenGeneration(),
      createdAt: now,
      updatedAt: now,
    });
  }
  for (const client of stored) {
    if (client.source === 'configuration' && !named.has(client.clientId)) {
      await deps.clients.remove(client.clientId);
      deps.logger.info('clients.removed_from_configuration', { client: client.clientId });
    }
  }
}

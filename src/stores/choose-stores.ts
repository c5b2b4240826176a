import type { AdapterFactory } from 'oidc-provider';
import type { BrokerAdapter } from './oidc-models.ts';
import type { EmailChangeStore } from '../account/email-change-store.ts';
import type { LinkStore } from '../association/link-store.ts';
import type { RateLimiter } from '../association/rate-limiter.ts';
import type { Config } from '../config/schema.ts';
import type { AssociationStore } from '../directory/association-store.ts';
import type { DirectoryStore } from '../directory/directory-store.ts';
import type { DirectoryAdminStore } from '../directory/directory-admin-store.ts';
import type { DirectorySeed } from '../directory/seed.ts';
import type { UpstreamTransactionStore } from '../federation/transaction-store.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ClientStore } from '../clients/client-store.ts';
import { createMemoryAuditLog } from './memory/audit-log.ts';
import { createMemoryClientStore } from './memory/client-store.ts';
import { createMemoryDirectory } from './memory/directory.ts';
import { createMemoryEmailChangeStore } from './memory/email-change-store.ts';
import { createMemoryLinkStore } from './memory/link-store.ts';
import { createMemoryOidcAdapter } from './memory/oidc-adapter.ts';
import { createMemoryRateLimiter } from './memory/rate-limiter.ts';
import { createMemoryTransactionStore } from './memory/transaction-store.ts';
import { createMemoryPortalSessions } from './memory/portal-sessions.ts';
import type { SessionStore } from '../shared/session-store.ts';
import type { WebhookStore } from '../webhooks/webhook-store.ts';
import { createMemoryWebhookStore } from './memory/webhook-store.ts';
import { localGeneration, withCachedReads, type Generation } from './cached-reads.ts';

export interface Stores {
  kind: 'memory' | 'shared';
  directory: DirectoryStore & AssociationStore & DirectoryAdminStore;
  /**
   * The same directory, its profile, organisation and association lookups kept per node while nothing changed
   * (cached-reads.ts): for the hot paths (token requests, sign-in pages). Flows that must fail before writing
   * anything when the database is away (redeeming a link) read `directory`.
   */
  cachedDirectory: DirectoryStore & AssociationStore & DirectoryAdminStore;
  adapter: BrokerAdapter;
  clients: ClientStore;
  /** The same clients, `find` kept per node while no client changed: oidc-provider reads one on every request. */
  cachedClients: ClientStore;
  /** Raised by every write to `clients`, on whichever node: what keeps oidc-provider's client objects per node. */
  clientsGeneration: Generation;
  audit: AuditLog;
  /** Webhook subscriptions, their deliveries and sending leases (webhooks/). */
  webhooks: WebhookStore;
  links: LinkStore;
  /** Pending changes of registered email, waiting for the new address to confirm (account/). */
  emailChanges: EmailChangeStore;
  linkTransactions: UpstreamTransactionStore<{ tokenHash: string }>;
  rateLimiter(options: { keyPrefix: string; points: number; windowSeconds: number }): RateLimiter;
  /** Server-side sessions of the broker's own web clients (the account console), by name, with a lifetime each. */
  browserSessions<T>(name: string): SessionStore<T>;
  /** The embedded demo's own storage (its development upstream and portals), beside the broker's, on the same servers. */
  demo: {
    oidcAdapter(name: string): AdapterFactory;
    portalSessions<T>(name: string): SessionStore<T>;
  };
  /** Each dependency's health, for /readyz: true when it answered within a second. */
  readiness(): Promise<Record<string, boolean>>;
  close(): Promise<void>;
}

/**
 * The stores the configuration asks for (docs/architecture.md §5): process memory, or MongoDB (directory, clients,
 * audit) and Redis (everything short-lived), loaded only then (shared-stores.ts). Called only by the composition root. `seed` is loaded into the directory;
 * into MongoDB it is upserted, so loading it at every start changes nothing.
 */
export async function chooseStores(
  config: Config,
  deps: { clock: Clock; logger: Logger; seed: DirectorySeed; requests?: RequestContext },
): Promise<Stores> {
  const { mongodbUri, redisUrl } = config.stores;
  if (!mongodbUri || !redisUrl) {
    const adapter = createMemoryOidcAdapter(deps.clock);
    const sweep = setInterval(() => adapter.sweep(), 60_000);
    sweep.unref();
    // In memory a lookup is a map read already: nothing to cache.
    const directory = createMemoryDirectory(deps.seed);
    // Nothing to cache in memory, but writes raise a generation, so the provider's client objects follow them.
    const clientsGeneration = localGeneration();
    const clients = withCachedReads(createMemoryClientStore(), [], clientsGeneration);
    return {
      kind: 'memory',
      directory,
      cachedDirectory: directory,
      adapter,
      clients,
      cachedClients: clients,
      clientsGeneration,
      audit: createMemoryAuditLog({ retentionDays: config.audit.retentionDays, clock: deps.clock }),
      webhooks: createMemoryWebhookStore(),
      links: createMemoryLinkStore(),
      emailChanges: createMemoryEmailChangeStore(),
      linkTransactions: createMemoryTransactionStore(deps.clock),
      rateLimiter: (options) => createMemoryRateLimiter(options),
      browserSessions: () => createMemoryPortalSessions(deps.clock),
      demo: {
        oidcAdapter: () => createMemoryOidcAdapter(deps.clock),
        portalSessions: () => createMemoryPortalSessions(deps.clock),
      },
      readiness: async () => ({ memory: true }),
      close: async () => clearInterval(sweep),
    };
  }

  const { openSharedStores } = await import('./shared-stores.ts');
  return openSharedStores(config, deps, { mongodbUri, redisUrl });
}

import type { ClientMetadata } from 'oidc-provider';

/**
 * Where a client's registration came from. Configuration owns the clients it names (they are written again at
 * every start, so the configuration file stays the truth for them); the rest are managed by administrators.
 */
export type ClientSource = 'configuration' | 'admin';

/** A portal registered with the broker: oidc-provider metadata (broker policy included) and its state. */
export interface StoredClient {
  clientId: string;
  /** Metadata as oidc-provider takes it, snake_case, with the broker's policy properties (client-policy.ts). */
  metadata: ClientMetadata;
  /** A disabled client is unknown to oidc-provider: its next request fails, on every node at once. */
  status: 'active' | 'disabled';
  source: ClientSource;
  /**
   * Changes whenever the tokens the client got by client credentials so far must stop working: the client is
   * registered anew, its secret is rotated, or it is disabled. Tokens carry the value current when issued, and the
   * admin API compares it on every request (clients/token-generation.ts). Configuration's writes at start keep it.
   */
  tokenGeneration: string;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The portals' registrations (docs/architecture.md §5: MongoDB in production). oidc-provider reads a client through its
 * adapter on every request that names one, so a change here takes effect on every node without a restart.
 */
export interface ClientStore {
  find(clientId: string): Promise<StoredClient | undefined>;
  list(): Promise<StoredClient[]>;
  /** Creates or replaces the client; `createdAt` of an existing client is kept. */
  save(client: StoredClient): Promise<void>;
  /**
   * Creates the client, or replaces the metadata and source of an existing one while keeping its status, token
   * generation and creation time, in one atomic write: a "disable" made meanwhile on another node is never undone.
   */
  register(client: StoredClient): Promise<void>;
  /** Returns whether there was such a client. */
  remove(clientId: string): Promise<boolean>;
}

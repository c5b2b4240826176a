/**
 * The admin API's areas, one scope each. An admin client is registered with the scopes it may ask for (its
 * `scope` metadata); oidc-provider grants a client-credentials token no others.
 */
export const ADMIN_SCOPES = {
  clients: 'admin:clients',
  directory: 'admin:directory',
  support: 'admin:support',
  audit: 'admin:audit',
} as const;

export type AdminScope = (typeof ADMIN_SCOPES)[keyof typeof ADMIN_SCOPES];

export const ALL_ADMIN_SCOPES: readonly AdminScope[] = Object.values(ADMIN_SCOPES);

/** Who did an admin action, and from where: the audit log's actor and IP. */
export interface AdminActor {
  actor: string;
  ip?: string;
}

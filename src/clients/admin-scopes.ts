/**
 * The admin API's areas, one scope each. An admin client is registered with the scopes it may ask for (its
 * `scope` metadata); oidc-provider grants a client-credentials token no others.
 */
export const ADMIN_SCOPES = {
  clients: 'admin:clients',
  directory: 'admin:directory',
  support: 'admin:support',
  audit: 'admin:audit',
  /** Webhook subscriptions and their deliveries; its own scope, not admin:clients (docs/decisions/0018). */
  events: 'admin:events',
} as const;

export type AdminScope = (typeof ADMIN_SCOPES)[keyof typeof ADMIN_SCOPES];

export const ALL_ADMIN_SCOPES: readonly AdminScope[] = Object.values(ADMIN_SCOPES);

/** The admin scopes a client's registration (its `scope` metadata) names. */
export function adminScopesIn(scope: unknown): AdminScope[] {
  const named = new Set(String(scope ?? '').split(' '));
  return ALL_ADMIN_SCOPES.filter((s) => named.has(s));
}

/**
 * Who did an admin action, and from where: the audit log's actor and IP; and the admin scopes the actor holds at
 * this moment, which bound what it may grant or touch (clients/client-authority.ts).
 */
export interface AdminActor {
  actor: string;
  ip?: string;
  holds: readonly AdminScope[];
}

/** A person at the command line: the operator of the stores holds every scope (`operator:<user>` in the audit log). */
export function operatorActor(user: string): AdminActor {
  return { actor: `operator:${user}`, holds: ALL_ADMIN_SCOPES };
}

const ADMIN_SCOPE_SET: ReadonlySet<string> = new Set(ALL_ADMIN_SCOPES);

/**
 * Whether `scope` names any admin scope: what every client-credentials token asks when issued, without the list
 * and set `adminScopesIn` builds (docs/decisions/0028).
 */
export function namesAdminScope(scope: unknown): boolean {
  if (typeof scope !== 'string' || !scope) return false;
  for (const named of scope.split(' ')) if (ADMIN_SCOPE_SET.has(named)) return true;
  return false;
}

import { adminScopesIn, type AdminActor } from './admin-scopes.ts';
import { AppError } from '../shared/errors.ts';
import type { StoredClient } from './client-store.ts';

/**
 * No escalation through client management: an admin caller may grant only admin scopes it holds itself, and may
 * change, rotate, disable, enable or delete only clients whose admin scopes it holds too. Otherwise a client with
 * `admin:clients` alone could mint itself a client with every scope, or lock out one that has more.
 * The scopes a caller holds are those its token carries and its registration still names (clients/token-generation.ts);
 * an operator at the command line holds them all.
 */
export function mayGrant(who: AdminActor, clientId: string, scope: unknown): void {
  const missing = adminScopesIn(scope).filter((s) => !who.holds.includes(s));
  if (missing.length) {
    throw new AppError(403, 'scope_not_held', `${who.actor} cannot give ${clientId} ${missing.join(' ')}`, {
      details: { clientId, scopes: missing.join(' '), verb: 'grant' },
    });
  }
}

export function mayTouch(who: AdminActor, client: StoredClient): void {
  const missing = adminScopesIn(client.metadata.scope).filter((s) => !who.holds.includes(s));
  if (missing.length) {
    throw new AppError(
      403,
      'scope_not_held',
      `${who.actor} cannot change ${client.clientId}, which holds ${missing.join(' ')}`,
      { details: { clientId: client.clientId, scopes: missing.join(' '), verb: 'touch' } },
    );
  }
}

/**
 * A client configuration registers with admin scopes (the bootstrap admin client) is the way back in when every
 * other admin client is lost: nothing through the API or the command line may disable, delete or rotate it.
 * Configuration owns it; its secret changes there.
 */
export function isConfiguredAdmin(client: StoredClient): boolean {
  return client.source === 'configuration' && adminScopesIn(client.metadata.scope).length > 0;
}

import type { ClientStore, StoredClient } from './client-store.ts';
import { randomToken } from '../shared/ids.ts';
import { adminScopesIn, type AdminScope } from './admin-scopes.ts';

/** Where a client-credentials token records its client's token generation at issue (oidc-provider's `extra`). */
export const GENERATION_CLAIM = 'client_generation';

export function newTokenGeneration(): string {
  return randomToken(12);
}

/**
 * The claims a client-credentials token gets when issued: its client's current generation. oidc-provider
 * authenticated the request with the client it read a moment earlier; if that client has since changed (secret
 * rotated, disabled, registered anew), the token gets a generation no client has, so it never opens the admin API.
 */
export async function generationAtIssue(
  clients: ClientStore,
  clientId: string,
  authenticatedSecret: unknown,
): Promise<Record<string, string>> {
  const current = await clients.find(clientId);
  const unchanged = current?.status === 'active' && current.metadata.client_secret === authenticatedSecret;
  return { [GENERATION_CLAIM]: unchanged ? current.tokenGeneration : 'superseded' };
}

/**
 * The admin scopes a token holds now: those it was issued with that its client's current registration still names.
 * Undefined when the token no longer stands for its client: the client is disabled or gone, or the token is older
 * than the client's current generation (rotated secret, re-registration, a disable since). Read on every admin
 * request from the client store, so a change on one node applies to the next request on every node.
 */
export function scopesStillHeld(
  client: StoredClient | undefined,
  token: { scope?: string; extra?: Record<string, unknown> },
): AdminScope[] | undefined {
  if (client?.status !== 'active') return undefined;
  const asked = adminScopesIn(token.scope);
  // Only tokens with admin scopes record a generation (create-provider.ts); one without holds nothing here anyway.
  if (asked.length && token.extra?.[GENERATION_CLAIM] !== client.tokenGeneration) return undefined;
  const registered = new Set(adminScopesIn(client.metadata.scope));
  return asked.filter((s) => registered.has(s));
}

import { decodeJwt } from 'jose';
import type { Client, KoaContextWithOIDC } from 'oidc-provider';

const OFFLINE_ACCESS = 'offline_access';

/**
 * Keeps `offline_access` in an authorization request that asked for it. oidc-provider drops it unless the request
 * also says prompt=consent, as OpenID Connect Core §11 asks "unless other conditions for processing the request
 * permitting offline access ... are in place". Here they are: portals are registered by administrators and a
 * person is never asked to consent to what their portal requests (auto-grant.ts). Without this the granted `scope`
 * lacks it, and a relying party that refreshes with the scope it asked for (authlib, by default) gets
 * invalid_scope.
 *
 * It is kept only for a portal that may refresh and may ask for it (its registered `scope`), the conditions
 * oidc-provider applies with prompt=consent. Registered as the `extraParams` validator of `scope`: it runs after
 * oidc-provider's scope checks and before the interaction, the grant and the code read the scope.
 */
export async function keepOfflineAccess(ctx: KoaContextWithOIDC, _scope: unknown, client?: Client): Promise<void> {
  if (!client?.grantTypeAllowed('refresh_token')) return;
  if (client.scope && !client.scope.split(' ').includes(OFFLINE_ACCESS)) return;
  if (!scopeAsSent(ctx).includes(OFFLINE_ACCESS)) return;
  const params = ctx.oidc.params as { scope?: string };
  const scopes = new Set(params.scope?.split(' ').filter(Boolean));
  scopes.add(OFFLINE_ACCESS);
  params.scope = [...scopes].join(' ');
}

/**
 * The scope the portal sent, before oidc-provider's checks: in the query or form of the request, or, for a request
 * pushed earlier (RFC 9126), in what the pushed-request endpoint stored (where this function already kept it).
 */
function scopeAsSent(ctx: KoaContextWithOIDC): string[] {
  const pushed = ctx.oidc.entities.PushedAuthorizationRequest;
  const body = ctx.oidc.body as { scope?: unknown } | undefined;
  const sent = pushed ? decodeJwt(pushed.request).scope : (body?.scope ?? ctx.query.scope);
  return typeof sent === 'string' ? sent.split(' ') : [];
}

import type { Grant, KoaContextWithOIDC } from 'oidc-provider';
import { ALL_ADMIN_SCOPES } from '../clients/admin-scopes.ts';

const ADMIN = new Set<string>(ALL_ADMIN_SCOPES);

/**
 * oidc-provider's `loadExistingGrant`, extended to grant what the portal asks for. Portals are first-party,
 * registered by administrators, so the consent prompt never needs the person; this also keeps `prompt=none`
 * working for a second portal in the same browser session.
 */
export async function autoGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
  const { oidc } = ctx;
  const accountId = oidc.session?.accountId;
  const clientId = oidc.client!.clientId;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(clientId);
  let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  if (!accountId) return grant;
  if (!grant || grant.accountId !== accountId) {
    grant = new oidc.provider.Grant({ clientId, accountId });
  }
  // Admin scopes are never granted to a person's sign-in, whatever the portal asks for.
  grant.addOIDCScope([...oidc.requestParamOIDCScopes].filter((s) => !ADMIN.has(s)).join(' '));
  const claims = [...oidc.requestParamClaims].filter((claim) => claim !== 'sub');
  if (claims.length) grant.addOIDCClaims(claims);
  for (const [resource, server] of Object.entries(oidc.resourceServers ?? {})) {
    const allowed = new Set(String(server.scope ?? '').split(' '));
    const scopes = [...oidc.requestParamScopes].filter((s) => allowed.has(s));
    if (scopes.length) grant.addResourceScope(resource, scopes.join(' '));
  }
  await grant.save();
  return grant;
}

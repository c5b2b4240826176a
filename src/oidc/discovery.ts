import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';

type ProviderMiddleware = Parameters<Provider['use']>[0];

/**
 * The discovery document as relying parties should read it. oidc-provider advertises every configured scope and
 * every configured claim; two of them are wrong for a portal:
 * - the admin scopes stay configured, because oidc-provider checks a client-credentials request against the
 *   client's registered scopes only for configured ones; but no portal can be granted them, so they are not
 *   advertised (admin clients know their scopes from their registration);
 * - `sid` is issued only to portals registered for back-channel logout with a session, so it is listed only while
 *   the document advertises that.
 * oidc-provider's `discovery` option can only add fields, so the document is edited on its way out.
 */
export function discoveryForPortals(hiddenScopes: readonly string[]): ProviderMiddleware {
  const hidden = new Set(hiddenScopes);
  return async (ctx, next) => {
    // Every request oidc-provider serves passes here; only discovery (under /.well-known/) is edited, so the rest,
    // the token endpoint first, go on without waiting here (docs/decisions/0028).
    if (!ctx.path.startsWith('/.well-known/')) return next();
    await next();
    if ((ctx as KoaContextWithOIDC).oidc?.route !== 'discovery' || !ctx.body || typeof ctx.body !== 'object') return;
    const document = ctx.body as Record<string, unknown>;
    if (Array.isArray(document.scopes_supported)) {
      document.scopes_supported = document.scopes_supported.filter((scope: string) => !hidden.has(scope));
    }
    if (Array.isArray(document.claims_supported) && !document.backchannel_logout_session_supported) {
      document.claims_supported = document.claims_supported.filter((claim: string) => claim !== 'sid');
    }
  };
}

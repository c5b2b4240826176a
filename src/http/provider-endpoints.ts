import type { Middleware } from 'koa';

/**
 * oidc-provider's machine endpoints (its default routes): what portals and resource servers call, server to server,
 * for tokens, keys and metadata. No broker route lives at these paths and none of them renders a page, sets a
 * cookie or starts a sign-in, so they skip the broker's routers and page middleware (docs/decisions/0028). The
 * authorization, pushed-request and sign-out endpoints are not here: they take the whole pipeline (the sign-in
 * limit, the page language, the broker's error pages).
 */
const MACHINE_PATHS = new Set([
  '/token',
  '/token/introspection',
  '/token/revocation',
  '/jwks',
  '/me',
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
]);

export const isProviderMachineEndpoint = (path: string): boolean => MACHINE_PATHS.has(path);

/** Sends a request for a machine endpoint straight to `provider` (the chain that ends at oidc-provider); any other goes on. */
export function providerEndpoints(provider: Middleware): Middleware {
  return (ctx, next) => (isProviderMachineEndpoint(ctx.path) ? provider(ctx, next) : next());
}

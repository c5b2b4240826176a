import type { Context, Middleware, Next } from 'koa';
import type Provider from 'oidc-provider';
import type { AdminActor, AdminScope } from '../clients/admin-scopes.ts';
import { scopesStillHeld } from '../clients/token-generation.ts';
import type { StoredClient } from '../clients/client-store.ts';
import { AppError } from '../shared/errors.ts';

export interface AdminState {
  admin: { clientId: string; scopes: readonly AdminScope[] };
}

const BEARER = /^Bearer ([A-Za-z0-9_-]{20,256})$/;

/**
 * The admin API's callers: access tokens the broker itself issued by client credentials (never a person's access
 * token, whatever its scope), carrying the area's scope. The token's own claims are not enough: its client's current
 * registration is read on every request, so a token stops at once when its client is disabled, deleted, registered
 * anew or given a new secret, and holds only the scopes the client is still registered for.
 */
export function adminAuthentication(
  provider: Provider,
  findClient: (clientId: string) => Promise<StoredClient | undefined>,
): Middleware {
  return async (ctx: Context, next: Next) => {
    const match = BEARER.exec(ctx.get('authorization'));
    // Messages for people: the catalogue's errors.message.<code>.
    const refuse = (code: 'admin_token_missing' | 'admin_token_invalid', message: string) => {
      ctx.set(
        'WWW-Authenticate',
        `Bearer realm="admin", error="${code === 'admin_token_missing' ? 'invalid_request' : 'invalid_token'}"`,
      );
      return new AppError(401, code, message);
    };
    if (!match) throw refuse('admin_token_missing', 'no bearer token');
    const token = await provider.ClientCredentials.find(match[1]!);
    if (!token) throw refuse('admin_token_invalid', 'unknown or expired token');
    const scopes = scopesStillHeld(await findClient(token.clientId!), token);
    if (!scopes)
      throw refuse(
        'admin_token_invalid',
        `client ${token.clientId} disabled, gone, or changed since the token was issued`,
      );
    (ctx.state as AdminState).admin = { clientId: token.clientId!, scopes };
    await next();
  };
}

/** Refuses a caller whose token lacks the area's scope. */
export function requireScope(scope: AdminScope): Middleware {
  return async (ctx: Context, next: Next) => {
    const { admin } = ctx.state as AdminState;
    if (!admin.scopes.includes(scope)) {
      ctx.set('WWW-Authenticate', `Bearer realm="admin", error="insufficient_scope", scope="${scope}"`);
      throw new AppError(403, 'insufficient_scope', `needs ${scope}`, { details: { scope, clientCredentials: true } });
    }
    await next();
  };
}

export function actorOf(ctx: Context): AdminActor {
  const { admin } = ctx.state as AdminState;
  return { actor: `admin:${admin.clientId}`, ip: ctx.ip, holds: admin.scopes };
}

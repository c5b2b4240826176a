import type { Context, Middleware, Next } from 'koa';
import type Provider from 'oidc-provider';
import type { AdminActor, AdminScope } from '../admin/scopes.ts';
import { AppError } from '../shared/errors.ts';

export interface AdminState {
  admin: { clientId: string; scopes: Set<string> };
}

const BEARER = /^Bearer ([A-Za-z0-9_-]{20,256})$/;

/**
 * The admin API's callers: access tokens the broker itself issued by client credentials (never a person's access
 * token, whatever its scope), from a client that is still registered and enabled, carrying the area's scope.
 */
export function adminAuthentication(provider: Provider): Middleware {
  return async (ctx: Context, next: Next) => {
    const match = BEARER.exec(ctx.get('authorization'));
    // Messages for people: views/errors/messages/<code>.hbs.
    const refuse = (code: 'admin_token_missing' | 'admin_token_invalid', message: string) => {
      ctx.set('WWW-Authenticate', `Bearer realm="admin", error="${code === 'admin_token_missing' ? 'invalid_request' : 'invalid_token'}"`);
      return new AppError(401, code, message);
    };
    if (!match) throw refuse('admin_token_missing', 'no bearer token');
    const token = await provider.ClientCredentials.find(match[1]!);
    if (!token) throw refuse('admin_token_invalid', 'unknown or expired token');
    const client = await provider.Client.find(token.clientId!);
    if (!client) throw refuse('admin_token_invalid', `client ${token.clientId} disabled or gone`);
    (ctx.state as AdminState).admin = { clientId: client.clientId, scopes: new Set(String(token.scope ?? '').split(' ').filter(Boolean)) };
    await next();
  };
}

/** Refuses a caller whose token lacks the area's scope. */
export function requireScope(scope: AdminScope): Middleware {
  return async (ctx: Context, next: Next) => {
    const { admin } = ctx.state as AdminState;
    if (!admin.scopes.has(scope)) {
      ctx.set('WWW-Authenticate', `Bearer realm="admin", error="insufficient_scope", scope="${scope}"`);
      throw new AppError(403, 'insufficient_scope', `needs ${scope}`, { details: { scope } });
    }
    await next();
  };
}

export function actorOf(ctx: Context): AdminActor {
  return { actor: `admin:${(ctx.state as AdminState).admin.clientId}`, ip: ctx.ip };
}

import type { Context, Middleware, Next } from 'koa';
import type Provider from 'oidc-provider';
import { ACCOUNT_SCOPE, type AccountHolder } from '../account/account-holder.ts';
import type { AccountOperations } from '../account/account-operations.ts';
import type { StoredClient } from '../clients/client-store.ts';
import { AppError } from '../shared/errors.ts';

export interface AccountState {
  account: { holder: AccountHolder; clientId: string };
}

const BEARER = /^Bearer ([A-Za-z0-9_-]{20,256})$/;

/**
 * The account API's callers: a person's access token, issued by the broker to a portal (or to the account console)
 * that asked for the `account` scope. The token must still be live, its client still enabled, and its profile still
 * usable and associated (account-holder.ts): a token of a profile disabled, unlinked or removed since is refused.
 * Tokens by client credentials have no person behind them and are never found here.
 */
export function accountTokenHolder(
  provider: Provider,
  account: Pick<AccountOperations, 'holderOf'>,
  findClient: (clientId: string) => Promise<StoredClient | undefined>,
) {
  const refuse = (ctx: Context, code: 'account_token_missing' | 'account_token_invalid', message: string) => {
    ctx.set(
      'WWW-Authenticate',
      `Bearer realm="account", error="${code === 'account_token_missing' ? 'invalid_request' : 'invalid_token'}"`,
    );
    return new AppError(401, code, message);
  };
  return async (ctx: Context, token: string | undefined): Promise<AccountState['account']> => {
    if (!token) throw refuse(ctx, 'account_token_missing', 'no bearer token');
    const found = await provider.AccessToken.find(token);
    if (!found?.accountId || !found.clientId) throw refuse(ctx, 'account_token_invalid', 'unknown or expired token');
    if (
      !String(found.scope ?? '')
        .split(' ')
        .includes(ACCOUNT_SCOPE)
    ) {
      ctx.set('WWW-Authenticate', `Bearer realm="account", error="insufficient_scope", scope="${ACCOUNT_SCOPE}"`);
      throw new AppError(403, 'insufficient_scope', `needs ${ACCOUNT_SCOPE}`, { details: { scope: ACCOUNT_SCOPE } });
    }
    const client = await findClient(found.clientId);
    if (!client || client.status !== 'active')
      throw refuse(ctx, 'account_token_invalid', `client ${found.clientId} disabled or gone`);
    const holder = await account.holderOf(found.accountId);
    if (!holder) throw refuse(ctx, 'account_token_invalid', `profile ${found.accountId} can no longer act`);
    return { holder, clientId: found.clientId };
  };
}

/** The account API's authentication: a bearer token in the Authorization header. */
export function accountAuthentication(holderFor: ReturnType<typeof accountTokenHolder>): Middleware {
  return async (ctx: Context, next: Next) => {
    const match = BEARER.exec(ctx.get('authorization'));
    (ctx.state as AccountState).account = await holderFor(ctx, match?.[1]);
    await next();
  };
}

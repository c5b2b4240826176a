import { createHmac } from 'node:crypto';
import type { ClientMetadata } from 'oidc-provider';
import { ACCOUNT_SCOPE } from '../account/account-holder.ts';

export const ACCOUNT_CONSOLE_CLIENT_ID = 'account-console';

/**
 * The broker's own account console (/account) signs people in through the broker like any portal, so it sees the
 * profile a portal would. It is written to the client store at every start, as configured clients are. Its secret
 * is derived from the first cookie key, so every node that shares the cookie keys agrees on it without another
 * setting; rotating the cookie keys rotates it.
 */
export function accountConsoleClient(issuer: string, cookieKey: string): ClientMetadata {
  return {
    client_id: ACCOUNT_CONSOLE_CLIENT_ID,
    client_secret: accountConsoleSecret(cookieKey),
    client_name: 'My account',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [`${issuer}/account/callback`],
    post_logout_redirect_uris: [`${issuer}/account/signed-out`],
    scope: `openid ${ACCOUNT_SCOPE}`,
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

export const accountConsoleSecret = (cookieKey: string) =>
  createHmac('sha256', cookieKey).update('account-console:client-secret').digest('base64url');

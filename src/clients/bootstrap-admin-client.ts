import type { ClientMetadata } from 'oidc-provider';
import { ALL_ADMIN_SCOPES } from './admin-scopes.ts';

/** The admin client configuration names (ADMIN_CLIENT_ID/SECRET): client credentials with every admin scope. */
export function bootstrapAdminClient(admin: { clientId?: string; clientSecret?: string }): ClientMetadata[] {
  if (!admin.clientId || !admin.clientSecret) return [];
  return [
    {
      client_id: admin.clientId,
      client_secret: admin.clientSecret,
      client_name: 'Bootstrap administrator',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: ALL_ADMIN_SCOPES.join(' '),
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ];
}

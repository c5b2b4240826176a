import type { AdapterPayload } from 'oidc-provider';
export type { BrokerAdapter } from '../oidc/broker-adapter.ts';

/** oidc-provider models that belong to a grant: revoking the grant removes these, and only these (never the Interaction). */
export const GRANTABLE_MODELS = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

export const byLoginTime = (a: AdapterPayload, b: AdapterPayload) => (a.loginTs ?? 0) - (b.loginTs ?? 0);

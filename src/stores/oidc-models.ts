/** oidc-provider models that belong to a grant: revoking the grant removes these, and only these (never the Interaction). */
export const GRANTABLE_MODELS = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

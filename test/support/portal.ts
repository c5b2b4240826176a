import * as client from 'openid-client';
import { TEST_PORTAL } from './broker.ts';

export interface AuthorizationChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** openid-client configured as a portal of the broker, as a real relying party would be. */
export async function createPortal(
  issuer: string,
  registration: { client_id: string; client_secret: string; redirect_uris: string[] } = TEST_PORTAL,
) {
  const config = await client.discovery(
    new URL(issuer),
    registration.client_id,
    registration.client_secret,
    client.ClientSecretBasic(registration.client_secret),
    { execute: [client.allowInsecureRequests] },
  );
  const redirectUri = registration.redirect_uris[0]!;

  return {
    config,
    redirectUri,
    /** With `pushed`, the request goes to the pushed-authorization endpoint first (RFC 9126) and the URL carries its reference. */
    async authorizationUrl(parameters: Record<string, string> = {}, options: { pushed?: boolean } = {}) {
      const checks: AuthorizationChecks = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier: client.randomPKCECodeVerifier(),
      };
      const build = options.pushed ? client.buildAuthorizationUrlWithPAR : client.buildAuthorizationUrl;
      const url = await build(config, {
        redirect_uri: redirectUri,
        scope: 'openid email profile org_profile',
        state: checks.state,
        nonce: checks.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: 'S256',
        ...parameters,
      });
      return { url: url.href, checks };
    },
    redeem(callbackUrl: string, checks: AuthorizationChecks, tokenParameters?: Record<string, string>) {
      return client.authorizationCodeGrant(
        config,
        new URL(callbackUrl),
        {
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          pkceCodeVerifier: checks.codeVerifier,
          idTokenExpected: true,
        },
        tokenParameters,
      );
    },
    userinfo(accessToken: string, sub: string) {
      return client.fetchUserInfo(config, accessToken, sub);
    },
    refresh(refreshToken: string, parameters?: Record<string, string>) {
      return client.refreshTokenGrant(config, refreshToken, parameters);
    },
    endSessionUrl(parameters: Record<string, string>) {
      return client.buildEndSessionUrl(config, parameters).href;
    },
  };
}

export type Portal = Awaited<ReturnType<typeof createPortal>>;

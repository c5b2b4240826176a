import Provider, { errors, type AdapterFactory, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config/schema.ts';
import type { ProfileResolver } from '../directory/admitted-profiles.ts';
import { claimsForProfile, claimsForScopes, SCOPE_CLAIMS } from '../directory/profile-claims.ts';
import { createExtraClientMetadata, isLoopbackUrl } from './client-policy.ts';
import { portalAdmissions } from './portal-admission.ts';
import { createInteractionPolicy } from './interaction-policy.ts';
import { INTERACTION_COOKIES, interactionLifetime, interactionPath } from './interaction-lifetime.ts';
import type { ProviderPages } from './pages.ts';
import { signingAlgsOf, type KeyMaterial } from './signing-keys.ts';
import { autoGrant } from './auto-grant.ts';
import { ConfigError } from '../shared/errors.ts';
import { ACCOUNT_SCOPE } from '../account/account-holder.ts';
import { ALL_ADMIN_SCOPES, namesAdminScope } from '../clients/admin-scopes.ts';
import { discoveryForPortals } from './discovery.ts';
import { keepOfflineAccess } from './offline-access.ts';
import { ASSOCIATE_PARAMETER, checkAssociateParameter } from './associate-parameter.ts';
import type { CookieSigner } from '../shared/cookie-signer.ts';

export interface ProviderDeps {
  config: Config;
  keys: KeyMaterial;
  /** Signs and checks the provider's cookies, made from `keys.cookieKeys` (shared/cookie-signer.ts). */
  cookieSigner: CookieSigner;
  adapter: AdapterFactory;
  profiles: ProfileResolver;
  pages: ProviderPages;
  upstreamIds: readonly string[];
  /** The languages of the pages, advertised as ui_locales_supported. */
  languages: readonly string[];
  /** Resource servers by indicator: configuration's, plus the demo API when the demo runs. */
  resourceServers: Config['resourceServers'];
  /** What a client-credentials token records about its client when issued (clients/token-generation.ts). */
  clientCredentialsClaims(clientId: string, authenticatedSecret: unknown): Promise<Record<string, string>>;
}

/** The OpenID Provider: the broker's face to portals. Every option that differs from oidc-provider's default is here. */
export function createProvider(deps: ProviderDeps): Provider {
  const { config, profiles } = deps;
  const admissionOf = portalAdmissions(config.directory.profileKinds);
  // Portals may register any algorithm the key set holds a key for, and nothing else: a registration asking for
  // another is refused with oidc-provider's own message, rather than failing at the first sign-in.
  const signingAlgs = signingAlgsOf(deps.keys.jwks.keys);
  for (const [resource, server] of Object.entries(deps.resourceServers))
    if (!signingAlgs.includes(server.accessTokenSigningAlg))
      throw new ConfigError([
        `resourceServers["${resource}"].accessTokenSigningAlg is ${server.accessTokenSigningAlg}, but the key set (JWKS_FILE) holds no such key: add one with npm run keys -- rotate signing --alg ${server.accessTokenSigningAlg} --file <JWKS_FILE>, roll the nodes, then promote it`,
      ]);

  const options: Configuration = {
    adapter: deps.adapter,
    // No static clients: every client is read through the adapter from the client store (oidc/client-adapter.ts).
    clients: [],
    jwks: deps.keys.jwks as Configuration['jwks'],
    enabledJWA: {
      idTokenSigningAlgValues: signingAlgs,
      userinfoSigningAlgValues: signingAlgs,
      introspectionSigningAlgValues: signingAlgs,
      authorizationSigningAlgValues: signingAlgs,
    },
    cookies: {
      keys: deps.cookieSigner,
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: INTERACTION_COOKIES,
    },
    // The account is the selected profile (docs/architecture.md §3). A profile that is gone, unlinked, disabled or no
    // longer admitted by the asking client has no account: its tokens stop working (refresh, userinfo).
    async findAccount(ctx, id, token) {
      const client = (ctx as KoaContextWithOIDC).oidc?.client;
      const admission = client ? admissionOf(client) : undefined;
      // Codes and refresh tokens carry the time of the login they came from; a session knows its own.
      const authTime =
        (token as { authTime?: number } | undefined)?.authTime ?? (ctx as KoaContextWithOIDC).oidc?.session?.authTime();
      const choice = await profiles.account(id, admission?.policy, {
        authTime,
        upstreamIds: admission?.upstreamIds,
      });
      if (!choice) return undefined;
      const claims = claimsForProfile(choice.profile, choice.organisation);
      return { accountId: id, claims: async () => claims };
    },
    // Admin scopes are granted only by client credentials to clients registered for them (clients/admin-scopes.ts); the
    // admin API accepts nothing but client-credentials tokens, so a portal's token never opens it. They stay
    // configured (oidc-provider checks only configured scopes against a client's registration) but are not
    // advertised in discovery (discovery.ts).
    // `account` lets a portal call the account API with the person's access token (docs/architecture.md §2).
    scopes: ['openid', 'offline_access', ...Object.keys(SCOPE_CLAIMS), ACCOUNT_SCOPE, ...ALL_ADMIN_SCOPES],
    // Where portals send people to manage their own account (the broker's account console).
    // …and the languages its pages speak (a portal may ask for one with ui_locales).
    discovery: { account_console_uri: `${config.issuer}/account`, ui_locales_supported: [...deps.languages] },
    claims: {
      auth_time: null,
      sid: null,
      // acr and amr ride on the openid scope so every ID token says how the login happened (docs/architecture.md §3).
      openid: ['sub', 'acr', 'amr'],
      ...Object.fromEntries(Object.entries(SCOPE_CLAIMS).map(([scope, names]) => [scope, [...names]])),
    },
    // Portals read the profile from the ID token; without this the code flow's ID token carries only `sub`.
    conformIdTokenClaims: false,
    acrValues: [config.acr],
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
      // A portal that listens for back-channel logout gets the session (`sid`) in each logout token.
      backchannel_logout_session_required: true,
      // What a portal may ask for unless its registration says otherwise; admin clients list their admin scopes.
      scope: ['openid', 'offline_access', ...Object.keys(SCOPE_CLAIMS)].join(' '),
    },
    extraClientMetadata: createExtraClientMetadata({
      allowLoopbackHttp: config.env !== 'production',
      upstreamIds: deps.upstreamIds,
      profileKinds: config.directory.profileKinds,
    }),
    // Portals are registered by administrators: a person is never asked to consent to what their portal requests.
    loadExistingGrant: autoGrant,
    // A portal that asks for offline_access is granted it without prompt=consent, a screen the broker does not
    // show (offline-access.ts); its refresh tokens then outlive the broker session, as offline access means.
    // `associate=another`: the account console's "Associate another profile" (associate-parameter.ts).
    extraParams: { scope: keepOfflineAccess, [ASSOCIATE_PARAMETER]: checkAssociateParameter },
    // Refresh tokens for every portal registered for the refresh_token grant, also without offline_access; those
    // end with the broker session (oidc-provider's expiresWithSession).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    async extraTokenClaims(ctx, token) {
      // Admin tokens (client credentials with an admin scope) are checked against their client's registration on
      // every use; other client-credentials tokens (a portal's, for a resource server) cost no store read here.
      if (token.kind === 'ClientCredentials') {
        if (!namesAdminScope(token.scope)) return undefined;
        return deps.clientCredentialsClaims(token.clientId!, (ctx as KoaContextWithOIDC).oidc?.client?.clientSecret);
      }
      // Only JWT access tokens for resource servers carry claims; opaque ones are looked up at userinfo.
      if (token.kind !== 'AccessToken' || !('resourceServer' in token) || !token.resourceServer || !token.accountId)
        return undefined;
      const choice = await profiles.account(token.accountId);
      if (!choice) return undefined;
      const scopes = new Set(String(token.scope ?? '').split(' '));
      const { sub: _sub, ...claims } = claimsForScopes(claimsForProfile(choice.profile, choice.organisation), scopes);
      return claims;
    },
    interactions: {
      url: (_ctx, interaction) => interactionPath(interaction.uid),
      policy: createInteractionPolicy(async (ctx, profileId) => {
        const admission = admissionOf(ctx.oidc.client!);
        return Boolean(
          await profiles.account(profileId, admission.policy, {
            authTime: ctx.oidc.session?.authTime(),
            upstreamIds: admission.upstreamIds,
          }),
        );
      }),
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // A portal learns about its own tokens only: the broker's resource servers verify JWT access tokens
        // themselves, and no portal has reason to read another's. (oidc-provider's default lets any confidential
        // client introspect every token, and answers 500 for a token whose client is gone or disabled.)
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      // Portals may register a `backchannel_logout_uri`; the tokens go out through the broker's queue
      // (sessions/backchannel-delivery.ts).
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: deps.pages.logoutSource,
        postLogoutSuccessSource: deps.pages.postLogoutSuccessSource,
      },
      resourceIndicators: {
        enabled: true,
        // No default audience: a plain access token stays opaque and usable at userinfo; a portal asks for a
        // resource server's JWT explicitly with `resource` (RFC 8707).
        defaultResource: async () => undefined,
        useGrantedResource: async () => false,
        async getResourceServerInfo(_ctx, resource) {
          const server = deps.resourceServers[resource];
          if (!server) throw new errors.InvalidTarget(`unknown resource server ${resource}`);
          return {
            audience: resource,
            scope: server.scope,
            accessTokenFormat: 'jwt',
            accessTokenTTL: server.accessTokenTtlSeconds,
            jwt: { sign: { alg: server.accessTokenSigningAlg } },
          };
        },
      },
    },
    ttl: {
      Session: config.ttl.session,
      Interaction: interactionLifetime(config.ttl),
      Grant: config.ttl.grant,
      AuthorizationCode: config.ttl.authorizationCode,
      AccessToken: config.ttl.accessToken,
      IdToken: config.ttl.idToken,
      RefreshToken: config.ttl.refreshToken,
      ClientCredentials: config.admin.accessTokenTtlSeconds,
    },
    renderError: deps.pages.renderError,
    // oidc-provider refuses to connect to internal addresses (its SSRF guard), which production keeps. Outside
    // production the demo's and tests' portals listen on localhost: only requests to a loopback host go without it.
    ...(config.env === 'production'
      ? {}
      : {
          fetch: (url: URL | string | Request, init?: RequestInit) =>
            isLoopbackUrl(typeof url === 'string' ? url : url instanceof URL ? url.href : url.url)
              ? fetch(url, { ...init, dispatcher: undefined } as RequestInit)
              : fetch(url, init),
        }),
  };

  const provider = new Provider(config.issuer, options);
  provider.proxy = config.trustProxy;
  provider.use(discoveryForPortals(ALL_ADMIN_SCOPES));
  return provider;
}

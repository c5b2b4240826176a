import { outboundUrlSyntaxProblem } from '../shared/outbound-url.ts';
import { errors, type ClientMetadata, type Configuration } from 'oidc-provider';
import type { AdmissionPolicy } from '../directory/eligibility.ts';
import { kindsRule, type ProfileKinds } from '../directory/profile-kinds.ts';
import { ACCOUNT_SCOPE } from '../account/account-holder.ts';
import { adminScopesIn } from '../clients/admin-scopes.ts';

/**
 * Broker policy carried in each client's metadata, so it lives wherever clients live (the client store, written from
 * configuration and by the admin API) and oidc-provider validates it with the rest of the metadata.
 */
export const BROKER_CLIENT_PROPERTIES = ['profile_kinds', 'contract_required', 'upstreams', 'brand_color'] as const;

/** The portal's own look on the broker's pages: links and a logo a person's browser fetches or follows. */
const LOOK_URIS = ['logo_uri', 'policy_uri', 'tos_uri', 'client_uri', 'initiate_login_uri'] as const;

/** Client metadata as oidc-provider's `client.metadata()` returns it (snake_case, extra properties included). */
type PolicyHolder = Record<string, unknown>;

/** A portal's admission policy; `kinds`, the configured ones, stand in for a portal that names none (metadata as stored). */
export function admissionPolicyOf(client: PolicyHolder, kinds: ProfileKinds): AdmissionPolicy {
  return {
    profileKinds: (client.profile_kinds as string[] | undefined) ?? kinds,
    contractRequired: client.contract_required === true,
  };
}

/** Where a person goes to sign in to the portal: where it says a sign-in starts, else its home page, if either. */
export function portalUrlOf(client: PolicyHolder): { url?: string } {
  const url = client.initiate_login_uri ?? client.client_uri;
  return typeof url === 'string' ? { url } : {};
}

/** Whether people sign in to the client (a portal), from its stored metadata: an admin client never does. */
export function signsPeopleIn(client: PolicyHolder): boolean {
  const grants = (client.grant_types as string[] | undefined) ?? ['authorization_code'];
  return grants.includes('authorization_code') && !adminScopesIn(client.scope).length;
}

/**
 * The web origins that may call the account API from a browser: those of the redirect URIs of enabled portals whose
 * registration lets them ask for the `account` scope.
 */
export function accountApiOrigins(clients: readonly { status: string; metadata: PolicyHolder }[]): ReadonlySet<string> {
  const origins = new Set<string>();
  for (const { status, metadata } of clients) {
    if (status !== 'active' || !signsPeopleIn(metadata)) continue;
    if (
      !String(metadata.scope ?? '')
        .split(' ')
        .includes(ACCOUNT_SCOPE)
    )
      continue;
    for (const uri of (metadata.redirect_uris as string[] | undefined) ?? []) {
      try {
        origins.add(new URL(uri).origin);
      } catch {
        // A redirect URI that is not a URL names no origin.
      }
    }
  }
  return origins;
}

export function upstreamIdsOf(client: PolicyHolder): string[] | undefined {
  return client.upstreams as string[] | undefined;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether `url` names this machine (localhost, 127.0.0.1, [::1]). */
export function isLoopbackUrl(url: string): boolean {
  try {
    return LOOPBACK.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * The broker's own rules for redirect and post-logout URIs, on top of oidc-provider's: https only (plain http
 * on a loopback host while developing), no wildcards. Returns what is wrong, or undefined.
 */
export function redirectUriProblem(uri: string, options: { allowLoopbackHttp: boolean }): string | undefined {
  if (uri.includes('*')) return `${uri}: wildcards are not allowed`;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `${uri}: not an absolute URL`;
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && options.allowLoopbackHttp && LOOPBACK.has(url.hostname)) return undefined;
  return `${uri}: must use https${options.allowLoopbackHttp ? ' (plain http only on localhost)' : ''}`;
}

export function createExtraClientMetadata(options: {
  allowLoopbackHttp: boolean;
  upstreamIds: readonly string[];
  /** The configured profile kinds: a portal admits some of them, all when it names none. */
  profileKinds: ProfileKinds;
}): NonNullable<Configuration['extraClientMetadata']> {
  return {
    properties: [...BROKER_CLIENT_PROPERTIES],
    validator(_ctx, key, value, metadata: ClientMetadata) {
      const invalid = (message: string) => {
        throw new errors.InvalidClientMetadata(message);
      };
      switch (key) {
        case 'profile_kinds':
          if (value === undefined) {
            metadata.profile_kinds = [...options.profileKinds];
          } else if (!Array.isArray(value) || value.length === 0) {
            invalid(`profile_kinds must be a non-empty list of profile kinds, each ${kindsRule(options.profileKinds)}`);
          } else {
            const unknown = value.filter((k) => typeof k !== 'string' || !options.profileKinds.includes(k));
            if (unknown.length)
              invalid(
                `profile_kinds: ${unknown.map((k) => JSON.stringify(k)).join(', ')} is not a configured kind; each kind ${kindsRule(options.profileKinds)}`,
              );
          }
          // oidc-provider calls this validator only for the broker's own properties, with the whole metadata;
          // this is the one place per client where the broker's URI rules can join its validation.
          for (const uri of [
            ...(metadata.redirect_uris ?? []),
            ...((metadata.post_logout_redirect_uris as string[] | undefined) ?? []),
          ]) {
            const problem = redirectUriProblem(uri, options);
            if (problem) invalid(problem);
          }
          // A portal's logo, policy and terms are shown and linked on the broker's pages: https (loopback http in
          // development) and nothing a browser would run (javascript:, data:).
          for (const name of LOOK_URIS) {
            const uri = metadata[name];
            if (uri === undefined) continue;
            const problem = typeof uri === 'string' ? redirectUriProblem(uri, options) : 'must be a URL';
            if (problem) invalid(`${name}: ${problem}`);
          }
          // The broker posts logout tokens there: in production https, never an internal address or a local-network
          // name (server-side request forgery); where a name points is checked again at each delivery, by
          // oidc-provider's guard against internal addresses.
          if (typeof metadata.backchannel_logout_uri === 'string') {
            const problem = outboundUrlSyntaxProblem(metadata.backchannel_logout_uri, {
              production: !options.allowLoopbackHttp,
            });
            if (problem) invalid(`backchannel_logout_uri ${problem}`);
          }
          // Admin scopes belong to service clients (client credentials), never to a portal people sign in to.
          if (
            (metadata.grant_types ?? ['authorization_code']).includes('authorization_code') &&
            adminScopesIn(metadata.scope).length > 0
          ) {
            invalid(
              'admin scopes (admin:…) are for client-credentials clients only, not for a portal people sign in to',
            );
          }
          break;
        case 'contract_required':
          if (value === undefined) metadata.contract_required = false;
          else if (typeof value !== 'boolean') invalid('contract_required must be true or false');
          break;
        case 'brand_color':
          // Goes into a stylesheet: exactly #rrggbb, so that nothing else can.
          if (value !== undefined && (typeof value !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(value)))
            invalid('brand_color must be a colour as #rrggbb');
          break;
        case 'upstreams':
          if (value === undefined) break;
          if (!Array.isArray(value) || value.length === 0 || !value.every((id) => options.upstreamIds.includes(id))) {
            invalid(
              `upstreams must be a non-empty list of configured upstream ids (${options.upstreamIds.join(', ')})`,
            );
          }
          break;
        default:
          break;
      }
    },
  };
}

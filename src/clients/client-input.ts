import type { ClientMetadata } from 'oidc-provider';
import { z } from 'zod';

const uri = z.string().min(1).max(2000);

/**
 * What an admin may set on a client, through the admin API or the command line: the OpenID Connect metadata portals
 * need, and the broker's policy. Anything else is refused by name. oidc-provider's own validation (with the broker's
 * URI rules) runs after this.
 */
export const clientInput = z.strictObject({
  client_id: z
    .string()
    .regex(/^[A-Za-z0-9._-]{3,64}$/, 'letters, digits, dot, dash or underscore, 3 to 64')
    .optional()
    .meta({ description: 'Made by the broker when absent (creation only).' }),
  client_name: z.string().min(1).max(200).optional().meta({ description: 'Display name shown to people.' }),
  redirect_uris: z.array(uri).max(20).optional(),
  post_logout_redirect_uris: z.array(uri).max(20).optional(),
  grant_types: z
    .array(z.enum(['authorization_code', 'refresh_token', 'client_credentials']))
    .min(1)
    .max(3)
    .optional(),
  token_endpoint_auth_method: z.enum(['client_secret_basic', 'client_secret_post', 'none']).optional(),
  scope: z
    .string()
    .max(500)
    .optional()
    .meta({ description: 'Scopes the client may ask for; admin clients list their admin:<area> scopes here.' }),
  client_uri: uri.optional(),
  logo_uri: uri
    .optional()
    .meta({ description: 'The portal’s logo (https), shown on the broker’s pages of its sign-ins.' }),
  policy_uri: uri.optional().meta({ description: 'The portal’s privacy policy (https), linked from those pages.' }),
  tos_uri: uri.optional().meta({ description: 'The portal’s terms of use (https), linked from those pages.' }),
  brand_color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'a colour as #rrggbb')
    .optional()
    .meta({ description: 'The portal’s colour (#rrggbb), for the header of the broker’s pages of its sign-ins.' }),
  initiate_login_uri: uri
    .optional()
    .meta({ description: 'Where a sign-in with the portal starts: the target of "back to the portal".' }),
  // Each a configured kind: oidc-provider's client validation checks them against the configuration (client-policy.ts),
  // for the portals of the configuration as for these.
  profile_kinds: z.array(z.string().max(32)).min(1).max(50).optional().meta({
    description:
      'Profile kinds the portal admits, each one the broker is configured with (PROFILE_KINDS; default all of them).',
  }),
  contract_required: z
    .boolean()
    .optional()
    .meta({ description: 'Admit only profiles whose organisation has an active service contract.' }),
  upstreams: z
    .array(z.string().max(64))
    .max(20)
    .optional()
    .meta({ description: 'Upstream ids offered to people signing in at this portal (default all).' }),
});

/** A client that only uses client credentials has no redirects and no authorization responses. */
export function toMetadata(input: z.output<typeof clientInput>): ClientMetadata {
  const serviceOnly = input.grant_types?.length && input.grant_types.every((g) => g === 'client_credentials');
  return { redirect_uris: [], ...(serviceOnly ? { response_types: [] } : {}), ...input } as ClientMetadata;
}

import { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config/schema.ts';

/**
 * Bytes the authorization request may take in a sign-in nobody has signed in to yet: its parameters and the
 * prompt oidc-provider derives from them (which repeats login_hint and id_token_hint), as stored (JSON). With the
 * rest of the stored interaction (ids, return address) and, later, the upstream round-trip's secrets, such an
 * interaction stays under 2 KB of Redis (docs/decisions/0011). A typical portal's request takes about 400 bytes.
 */
export const ANONYMOUS_REQUEST_BYTES = 1100;

/** oidc-provider's short-lived cookies, the ones naming an interaction (`cookies.short`). */
export const INTERACTION_COOKIES = { signed: true, httpOnly: true, sameSite: 'lax' } as const;

/** Where the broker's pages of an interaction live. */
export const interactionPath = (uid: string) => `/interaction/${uid}`;

/**
 * `ttl.Interaction`: how long oidc-provider keeps a new interaction. Anyone can start one, so an interaction
 * without a signed-in session lives `ttl.anonymousInteraction` and may hold only small parameters (a larger
 * request goes back to the portal as invalid_request); it gets the full `ttl.interaction` once the person has
 * signed in upstream (http/signed-in-interaction.ts). Sessions signed in already get the full lifetime at once.
 */
export function interactionLifetime(ttl: Config['ttl']): NonNullable<NonNullable<Configuration['ttl']>['Interaction']> {
  return (_ctx: KoaContextWithOIDC, interaction) => {
    if (interaction.session?.accountId) return ttl.interaction;
    // An id_token_hint (which the prompt repeats) is an ID token the broker itself signed, checked before this: a
    // portal re-authenticating someone whose session ended sends one, and it does not count against the bound.
    const { id_token_hint: _hint, ...params } = interaction.params as Record<string, unknown>;
    const { id_token_hint: _repeated, ...details } = (interaction.prompt?.details ?? {}) as Record<string, unknown>;
    const bytes = Buffer.byteLength(JSON.stringify([params, { ...interaction.prompt, details }]));
    if (bytes > ANONYMOUS_REQUEST_BYTES) {
      throw new errors.InvalidRequest(
        `authorization request too large (${bytes} bytes of parameters, at most ${ANONYMOUS_REQUEST_BYTES} before sign-in)`,
      );
    }
    return ttl.anonymousInteraction;
  };
}

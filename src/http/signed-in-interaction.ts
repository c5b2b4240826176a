import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Config } from '../config/schema.ts';
import { INTERACTION_COOKIES, interactionPath } from '../oidc/interaction-lifetime.ts';

type Interaction = InstanceType<Provider['Interaction']>;

/**
 * Once the person has signed in upstream, their interaction gets the full `ttl.interaction` from now on (the
 * association step may wait for an email): the interaction's expiry, which the caller's next save stores (a save
 * keeps what is left until `exp`), and oidc-provider's two cookies naming it, which it set at /auth with the short
 * anonymous lifetime.
 */
export function keepSignedInInteraction(
  ctx: Context,
  deps: { provider: Provider; config: Config },
  interaction: Interaction,
): void {
  const ttl = deps.config.ttl.interaction;
  // oidc-provider's clock: the system's (saveInteractionResult counts what is left with it).
  interaction.exp = Math.floor(Date.now() / 1000) + ttl;
  const options = { ...INTERACTION_COOKIES, maxAge: ttl * 1000 };
  ctx.cookies.set(deps.provider.cookieName('interaction'), interaction.uid, {
    ...options,
    path: interactionPath(interaction.uid),
  });
  ctx.cookies.set(deps.provider.cookieName('resume'), interaction.uid, {
    ...options,
    path: new URL(interaction.returnTo).pathname,
  });
}

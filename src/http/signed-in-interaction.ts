import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Config } from '../config/schema.ts';
import { INTERACTION_COOKIES, interactionPath } from '../oidc/interaction-lifetime.ts';

type Interaction = InstanceType<Provider['Interaction']>;

/**
 * Once the person has signed in upstream, their interaction gets the full `ttl.interaction` from now on (the
 * association step may wait for an email): the stored interaction, and oidc-provider's two cookies naming it,
 * which it set at /auth with the short anonymous lifetime.
 */
export async function keepSignedInInteraction(
  ctx: Context,
  deps: { provider: Provider; config: Config },
  interaction: Interaction,
): Promise<void> {
  const ttl = deps.config.ttl.interaction;
  await interaction.save(ttl);
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

import type { InteractionResults } from 'oidc-provider';
import { remainingSeconds, type InteractionDetails } from './interaction-context.ts';

/**
 * Keeps `result` in the interaction the request has already read and returns oidc-provider's resume address. It does
 * what `provider.interactionResult(…, { mergeWithLastSubmission: false })` does, without that call reading the
 * interaction from the store a second time: one store round trip less on every step of a sign-in.
 */
export async function saveInteractionResult(
  interaction: InteractionDetails,
  result: InteractionResults,
): Promise<string> {
  interaction.result = result;
  // oidc-provider stamps interactions with the system clock, so what is left of one is counted with it too.
  await interaction.save(remainingSeconds(interaction.exp, new Date()));
  return interaction.returnTo;
}

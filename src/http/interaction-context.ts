import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import type { Config } from '../config/schema.ts';
import { saveInteractionResult } from './save-interaction-result.ts';

export type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

export function callbackUri(config: Config, upstreamId: string): string {
  return `${config.issuer}/upstream/callback/${upstreamId}`;
}

export function requestedPrompts(details: InteractionDetails): Set<string> {
  return new Set(
    String(details.params.prompt ?? '')
      .split(' ')
      .filter(Boolean),
  );
}

/**
 * Ends the interaction and sends the browser back to oidc-provider's resume endpoint. Requested prompts are
 * marked as resolved, or oidc-provider would ask for them again.
 */
export async function finishInteraction(ctx: Context, details: InteractionDetails, result: InteractionResults) {
  const prompts = requestedPrompts(details);
  const full: InteractionResults = { ...result };
  if (prompts.has('select_account')) full.select_account = {};
  if (prompts.has('consent') && details.grantId) full.consent = { grantId: details.grantId };
  const returnTo = await saveInteractionResult(details, full);
  ctx.set('Cache-Control', 'no-store');
  ctx.status = 303;
  ctx.redirect(returnTo);
}

export function remainingSeconds(exp: number | undefined, now: Date): number {
  return Math.max(1, (exp ?? 0) - Math.floor(now.getTime() / 1000));
}

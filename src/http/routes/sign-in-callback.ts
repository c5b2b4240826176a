import { uiLocalesOf } from '../../i18n/choose-language.ts';
import { brokerResult, readBrokerState } from '../../oidc/interaction-state.ts';
import { FlowExpiredError } from '../../shared/errors.ts';
import { safeEqual } from '../../shared/ids.ts';
import { remainingSeconds } from '../interaction-context.ts';
import { loginTime, signInAs } from '../profile-step.ts';
import { profileToSignInAtOnce } from '../profile-to-sign-in-at-once.ts';
import { personFromRoundTrip } from '../steps/identity.ts';
import { loadPortal } from '../steps/interaction-steps.ts';
import { keepSignedInInteraction } from '../signed-in-interaction.ts';
import {
  finishUpstreamRoundTrip,
  forgetUpstreamRoundTrip,
  foreignResponse,
  upstreamAnswer,
  type CallbackHandler,
} from '../upstream-callbacks.ts';
import type { PageDeps } from '../use-cases.ts';
import { forgetSignOut } from '../fresh-login.ts';

/**
 * The upstream answered an interaction's sign-in (`ref` is the interaction's id). The state is checked against the
 * transaction kept in that interaction, and the transaction is forgotten before the code is redeemed: a replayed or
 * foreign callback is refused before any token request.
 */
export function signInCallback(deps: PageDeps): CallbackHandler {
  return async (ctx, { state, upstreamId, ref: uid }) => {
    const interaction = await deps.provider.Interaction.find(uid);
    if (!interaction) throw new FlowExpiredError();
    // An error page from here is in the language of the sign-in's other pages.
    ctx.state.uiLocales = uiLocalesOf(interaction.params.ui_locales);
    const pending = readBrokerState(interaction.result);
    if (
      pending?.step !== 'upstream_pending' ||
      !safeEqual(pending.transaction.state, state) ||
      pending.transaction.upstreamId !== upstreamId
    ) {
      throw foreignResponse();
    }
    const { transaction } = pending;
    const now = deps.clock.now();
    interaction.result = {};
    await interaction.save(remainingSeconds(interaction.exp, now));
    forgetUpstreamRoundTrip(ctx, state);
    if (transaction.expiresAt < Math.floor(now.getTime() / 1000)) throw new FlowExpiredError();

    const upstream = deps.upstreams.get(transaction.upstreamId);
    if (!upstream) throw new FlowExpiredError('upstream_disabled', 'the upstream of this transaction is disabled');

    const answer = await upstreamAnswer(ctx, deps, upstream, transaction);
    if ('refused' in answer) {
      // The portal hears about it as an OAuth error on its own redirect URI, with its own state.
      interaction.result = { error: answer.refused.error, error_description: answer.refused.description };
      await interaction.save(remainingSeconds(interaction.exp, deps.clock.now()));
      ctx.status = 303;
      ctx.redirect(interaction.returnTo);
      return;
    }

    const { identity, idToken } = answer;
    deps.logger.info('upstream.signed_in', { interaction: uid, upstream: identity.upstreamId });
    interaction.result = brokerResult({
      step: 'identified',
      identity,
      remember: transaction.remember,
      upstreamIdToken: idToken,
    });
    // A fresh upstream sign-in: the next one from this browser need not be forced any more (sign-out.ts).
    forgetSignOut(ctx);
    keepSignedInInteraction(ctx, deps, interaction);
    // A reload of this address shows the sign-in's next page again, not a refusal of the spent answer.
    finishUpstreamRoundTrip(ctx, state, `/interaction/${uid}`);

    // One profile and nothing to ask: signed in from here, without the round trip through the interaction's page.
    const person = personFromRoundTrip(deps, interaction)!;
    const saveInteraction = () => interaction.save(remainingSeconds(interaction.exp, new Date()));
    let choice;
    try {
      const portal = await loadPortal(deps, interaction, (key) => deps.views.t(ctx, key));
      const { admitted } = await deps.useCases.profiles.admittedFor(identity, portal.policy);
      choice = profileToSignInAtOnce(admitted, interaction, person);
    } catch (err) {
      // The directory is down (or the portal gone): the upstream sign-in is kept, so reloading the error page goes on
      // to the interaction's page (finishUpstreamRoundTrip) instead of back to the start.
      await saveInteraction();
      throw err;
    }
    if (choice) {
      await signInAs(ctx, deps, interaction, choice.profile.id, person.remember, loginTime(person.authTime, choice));
      return;
    }
    await saveInteraction();
    ctx.status = 303;
    ctx.redirect(`/interaction/${uid}`);
  };
}

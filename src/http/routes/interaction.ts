import Router from '@koa/router';
import { z } from 'zod';
import { signedOutHere } from '../fresh-login.ts';
import { beginUpstreamSignIn, UPSTREAM_ROUND_TRIP_SECONDS } from '../../federation/upstream-transaction.ts';
import { brokerResult } from '../../oidc/interaction-state.ts';
import { BadRequestError } from '../../shared/errors.ts';
import { callbackUri, finishInteraction, remainingSeconds, requestedPrompts } from '../interaction-context.ts';
import { loginTime, showProfileStep, signInAs } from '../profile-step.ts';
import { personFromRoundTrip, personFromSession } from '../steps/identity.ts';
import type { InteractionSteps } from '../steps/interaction-steps.ts';
import { saveInteractionResult } from '../save-interaction-result.ts';
import { route } from '../steps/route.ts';
import type { UpstreamCallbacks } from '../upstream-callbacks.ts';
import type { PageDeps } from '../use-cases.ts';
import { signInCallback } from './sign-in-callback.ts';

const upstreamForm = z.object({
  csrf: z.string().max(200),
  upstream: z.string().max(64),
  remember: z.literal('on').optional(),
  // "Use another account": ask the upstream for a fresh sign-in instead of reusing its session.
  force: z.literal('yes').optional(),
});
const selectForm = z.object({ csrf: z.string().max(200), profile: z.string().min(1).max(200) });
const abortForm = z.object({ csrf: z.string().max(200) });

/** The upstream round-trips interactions start; `ref` is the interaction's id (sign-in-callback.ts). */
const SIGN_IN = 'sign-in';

/** The broker's pages inside an oidc-provider interaction: sign-in, profile picker, and their form posts. */
export function interactionRoutes(deps: PageDeps, steps: InteractionSteps, callbacks: UpstreamCallbacks): Router {
  const router = new Router({ prefix: '/interaction/:uid' });
  callbacks.register(SIGN_IN, signInCallback(deps));

  router.get(
    '/',
    ...route([steps.interaction, steps.portal], async (ctx) => {
      const { interaction, portal } = ctx.state;
      const { prompt } = interaction;
      if (prompt.name === 'consent') {
        // Only reached when a portal asks for prompt=consent: the grant was already made by autoGrant.
        await finishInteraction(ctx, interaction, { consent: { grantId: interaction.grantId } });
        return;
      }

      const fromRoundTrip = personFromRoundTrip(deps, interaction);
      if (fromRoundTrip) {
        const forcePicker = requestedPrompts(interaction).has('select_account');
        await showProfileStep(ctx, deps, ctx.state, fromRoundTrip, { forcePicker });
        return;
      }

      // Switching profile, or a session whose profile this portal does not admit: the session already says who
      // the person is upstream, so show their profiles without another upstream sign-in, when it may be trusted.
      const sessionOnly = prompt.reasons.every((r) => r === 'select_account_prompt' || r === 'profile_not_admitted');
      const fromSession = sessionOnly ? await personFromSession(deps, interaction, portal) : undefined;
      if (fromSession) {
        await showProfileStep(ctx, deps, ctx.state, fromSession, { forcePicker: prompt.name === 'select_account' });
        return;
      }

      ctx.set('Cache-Control', 'no-store');
      ctx.body = deps.views.page(ctx, 'interaction/sign-in', {
        title: deps.views.t(ctx, 'interaction.signIn.title', { portal: portal.name }),
        uid: interaction.uid,
        csrf: deps.csrf.tokenFor(interaction.uid),
        portalName: portal.name,
        logoUri: portal.client.logoUri,
        upstreams: portal.upstreams.map((u) => ({
          id: u.id,
          name: u.name,
          signupUri: u.signupUri,
          passwordResetUri: u.passwordResetUri,
        })),
        support: deps.config.support,
      });
    }),
  );

  router.post(
    '/upstream',
    ...route([steps.body, steps.interaction, steps.form(upstreamForm), steps.csrf, steps.portal], async (ctx) => {
      const { interaction, form, portal } = ctx.state;
      const upstream = portal.upstreams.some((u) => u.id === form.upstream)
        ? deps.upstreams.get(form.upstream)
        : undefined;
      if (!upstream)
        throw new BadRequestError(
          'unknown_upstream',
          `upstream ${form.upstream} not offered to ${portal.client.clientId}`,
          { portal: portal.name },
        );

      const now = deps.clock.now();
      const { url, transaction } = await beginUpstreamSignIn(upstream, {
        redirectUri: callbackUri(deps.config, upstream.config.id),
        remember: form.remember === 'on',
        forceLogin:
          form.force === 'yes' ||
          signedOutHere(ctx) ||
          requestedPrompts(interaction).has('login') ||
          interaction.params.max_age !== undefined,
        now,
        lifetimeSeconds: Math.min(UPSTREAM_ROUND_TRIP_SECONDS, remainingSeconds(interaction.exp, now)),
      });
      await saveInteractionResult(interaction, brokerResult({ step: 'upstream_pending', transaction }));
      callbacks.remember(ctx, transaction.state, SIGN_IN, interaction.uid);
      deps.logger.info('upstream.redirect', {
        interaction: interaction.uid,
        upstream: upstream.config.id,
        forceLogin: url.searchParams.get('prompt') === 'login',
      });
      ctx.status = 303;
      ctx.redirect(url.href);
    }),
  );

  router.post(
    '/select',
    ...route(
      [steps.body, steps.interaction, steps.form(selectForm), steps.csrf, steps.portal, steps.person],
      async (ctx) => {
        const { interaction, form, portal, person } = ctx.state;
        const { admitted } = await deps.useCases.profiles.admittedFor(person.identity, portal.policy);
        const choice = admitted.find((c) => c.profile.id === form.profile);
        if (!choice) {
          throw new BadRequestError('profile_not_available', 'profile not admitted for this identity and client', {
            portal: portal.name,
          });
        }
        await signInAs(ctx, deps, interaction, form.profile, person.remember, loginTime(person.authTime, choice));
      },
    ),
  );

  router.post(
    '/abort',
    ...route([steps.body, steps.interaction, steps.form(abortForm), steps.csrf], async (ctx) => {
      await finishInteraction(ctx, ctx.state.interaction, {
        error: 'access_denied',
        error_description: 'The person cancelled the sign-in.',
      });
    }),
  );

  return router;
}

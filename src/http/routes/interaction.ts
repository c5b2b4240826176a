import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { z } from 'zod';
import { beginUpstreamSignIn } from '../../federation/upstream-transaction.ts';
import { upstreamIdsOf } from '../../oidc/client-policy.ts';
import { brokerResult, readBrokerState } from '../../oidc/interaction-state.ts';
import { BadRequestError } from '../../shared/errors.ts';
import {
  callbackUri,
  finishInteraction,
  portalOf,
  remainingSeconds,
  requestedPrompts,
  sessionIdentity,
  type InteractionDeps,
  type InteractionDetails,
} from '../interaction-context.ts';
import { loginTime, showProfileStep, signInAs } from '../profile-step.ts';
import { rememberUpstreamRoundTrip, UPSTREAM_ROUND_TRIP_SECONDS } from '../upstream-cookie.ts';
import { parseInput } from '../validate.ts';
import type { Context } from 'koa';

const upstreamForm = z.object({
  csrf: z.string().max(200),
  upstream: z.string().max(64),
  remember: z.literal('on').optional(),
  // "Use another account": ask the upstream for a fresh sign-in instead of reusing its session.
  force: z.literal('yes').optional(),
});
const selectForm = z.object({ csrf: z.string().max(200), profile: z.string().min(1).max(200) });
const abortForm = z.object({ csrf: z.string().max(200) });

/** The broker's pages inside an oidc-provider interaction: sign-in, profile picker, and their form posts. */
export function interactionRoutes(deps: InteractionDeps): Router {
  const router = new Router({ prefix: '/interaction/:uid' });
  const form = bodyParser({ enableTypes: ['form'], formLimit: '16kb' });
  const details = (ctx: Context) => deps.provider.interactionDetails(ctx.req, ctx.res);

  router.get('/', async (ctx) => {
    const interaction = await details(ctx);
    const prompts = requestedPrompts(interaction);
    const { prompt } = interaction;

    if (prompt.name === 'consent') {
      // Only reached when a portal asks for prompt=consent: the grant was already made by autoGrant.
      await finishInteraction(ctx, deps, interaction, { consent: { grantId: interaction.grantId } });
      return;
    }

    const state = readBrokerState(interaction.result);
    if (state?.step === 'identified') {
      await showProfileStep(ctx, deps, interaction, state.identity, {
        remember: state.remember,
        forcePicker: prompts.has('select_account'),
        authTime: upstreamAuthTime(deps, state.identity),
        association: state.association,
      });
      return;
    }

    // Switching profile, or a session whose profile this portal does not admit: the session already says who
    // the person is upstream, so show their profiles without another upstream sign-in, when it may be trusted.
    const sessionOnly = prompt.reasons.every((r) => r === 'select_account_prompt' || r === 'profile_not_admitted');
    const fromSession = sessionOnly
      ? await sessionIdentity(deps, interaction, await portalOf(deps, interaction))
      : undefined;
    if (fromSession) {
      await showProfileStep(ctx, deps, interaction, fromSession.identity, {
        remember: fromSession.remember,
        authTime: fromSession.authTime,
        forcePicker: prompt.name === 'select_account',
      });
      return;
    }
    await renderSignIn(ctx, deps, interaction);
  });

  router.post('/upstream', form, async (ctx) => {
    const interaction = await details(ctx);
    const input = parseInput(upstreamForm, ctx.request.body);
    deps.csrf.verify(ctx, interaction.uid, input.csrf);
    const portal = await portalOf(deps, interaction);
    const upstream = deps.upstreams.enabled(upstreamIdsOf(portal.metadata)).some((u) => u.id === input.upstream)
      ? deps.upstreams.get(input.upstream)
      : undefined;
    if (!upstream)
      throw new BadRequestError(
        'unknown_upstream',
        `upstream ${input.upstream} not offered to ${portal.client.clientId}`,
        { portal: portal.name },
      );

    const prompts = requestedPrompts(interaction);
    const now = deps.clock.now();
    const { url, transaction } = await beginUpstreamSignIn(upstream, {
      redirectUri: callbackUri(deps.config, upstream.config.id),
      remember: input.remember === 'on',
      forceLogin: input.force === 'yes' || prompts.has('login') || interaction.params.max_age !== undefined,
      now,
      lifetimeSeconds: Math.min(UPSTREAM_ROUND_TRIP_SECONDS, remainingSeconds(interaction.exp, now)),
    });
    await deps.provider.interactionResult(ctx.req, ctx.res, brokerResult({ step: 'upstream_pending', transaction }), {
      mergeWithLastSubmission: false,
    });
    rememberUpstreamRoundTrip(ctx, transaction.state, interaction.uid);
    deps.logger.info('upstream.redirect', {
      interaction: interaction.uid,
      upstream: upstream.config.id,
      forceLogin: url.searchParams.get('prompt') === 'login',
    });
    ctx.status = 303;
    ctx.redirect(url.href);
  });

  router.post('/select', form, async (ctx) => {
    const interaction = await details(ctx);
    const input = parseInput(selectForm, ctx.request.body);
    deps.csrf.verify(ctx, interaction.uid, input.csrf);
    const portal = await portalOf(deps, interaction);
    const { identity, remember, authTime } = await knownIdentity(deps, interaction, portal);
    const { admitted } = await deps.profiles.forIdentity(identity, portal.policy);
    const choice = admitted.find((c) => c.profile.id === input.profile);
    if (!choice) {
      throw new BadRequestError('profile_not_available', 'profile not admitted for this identity and client', {
        portal: portal.name,
      });
    }
    await signInAs(ctx, deps, interaction, input.profile, remember, loginTime(authTime, choice));
  });

  router.post('/abort', form, async (ctx) => {
    const interaction = await details(ctx);
    const input = parseInput(abortForm, ctx.request.body);
    deps.csrf.verify(ctx, interaction.uid, input.csrf);
    await finishInteraction(ctx, deps, interaction, {
      error: 'access_denied',
      error_description: 'The person cancelled the sign-in.',
    });
  });

  return router;
}

/** Who the person is upstream, from this interaction's upstream round-trip or else from a trustworthy session. */
async function knownIdentity(
  deps: InteractionDeps,
  interaction: InteractionDetails,
  portal: Awaited<ReturnType<typeof portalOf>>,
) {
  const state = readBrokerState(interaction.result);
  if (state?.step === 'identified')
    return { identity: state.identity, remember: state.remember, authTime: upstreamAuthTime(deps, state.identity) };
  const fromSession = await sessionIdentity(deps, interaction, portal);
  if (fromSession) return fromSession;
  throw new BadRequestError('not_signed_in', 'no identity for this interaction');
}

/** The upstream's own auth_time when it sent one (verified with the ID token), else the moment it answered. */
function upstreamAuthTime(deps: InteractionDeps, identity: { authTime?: number }): number {
  return identity.authTime ?? Math.floor(deps.clock.now().getTime() / 1000);
}

async function renderSignIn(ctx: Context, deps: InteractionDeps, interaction: InteractionDetails) {
  const portal = await portalOf(deps, interaction);
  const upstreams = deps.upstreams.enabled(upstreamIdsOf(portal.metadata));
  ctx.set('Cache-Control', 'no-store');
  ctx.body = deps.views.render('interaction/sign-in', {
    title: `Sign in to ${portal.name}`,
    uid: interaction.uid,
    csrf: deps.csrf.tokenFor(interaction.uid),
    portalName: portal.name,
    logoUri: portal.client.logoUri,
    upstreams: upstreams.map((u) => ({ id: u.id, name: u.name })),
    support: deps.config.support,
  });
}

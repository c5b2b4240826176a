import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { brokerResult, readBrokerState, type AssociationStep } from '../../oidc/interaction-state.ts';
import { BadRequestError, RateLimitedError } from '../../shared/errors.ts';
import { rateLimitKeyForAddress } from '../../shared/client-address.ts';
import { portalOf, sessionIdentity, type InteractionDeps, type InteractionDetails } from '../interaction-context.ts';
import { pageCommon, renderEmailSent } from '../profile-step.ts';
import { parseInput } from '../validate.ts';

const csrfOnly = z.object({ csrf: z.string().max(200) });
const emailForm = z.object({ csrf: z.string().max(200), email: z.string().max(320) });
const address = z.email().max(254);

/**
 * Seed steps 4–5 inside the interrupted sign-in: the registered address, "check your email", resend and
 * "use another address". Responses depend only on what the person typed, never on what the directory holds.
 */
export function associationRequestRoutes(deps: InteractionDeps): Router {
  const router = new Router({ prefix: '/interaction/:uid/associate' });
  const form = bodyParser({ enableTypes: ['form'], formLimit: '16kb' });

  /**
   * The person's identity for this step: from this interaction's upstream sign-in, or else (the ineligible page
   * reached from an existing session) from a session that may be trusted for it.
   */
  const identified = async (ctx: Context) => {
    const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
    const state = readBrokerState(details.result);
    if (state?.step === 'identified') return { details, state };
    const fromSession = await sessionIdentity(deps, details, await portalOf(deps, details));
    if (!fromSession) throw new BadRequestError('not_signed_in', 'no identity for this interaction');
    return {
      details,
      state: {
        step: 'identified' as const,
        identity: { ...fromSession.identity, authTime: fromSession.authTime },
        remember: fromSession.remember,
      },
    };
  };

  const save = async (
    ctx: Context,
    state: Extract<ReturnType<typeof readBrokerState>, { step: 'identified' }>,
    association: AssociationStep,
  ) => {
    await deps.provider.interactionResult(ctx.req, ctx.res, brokerResult({ ...state, association }), {
      mergeWithLastSubmission: false,
    });
    ctx.status = 303;
    ctx.redirect(`/interaction/${ctx.params.uid}`);
  };

  /** Per upstream identity and per client address; these limits may show, they say nothing about the address. */
  const checkLimits = async (details: InteractionDetails, ctx: Context, identityKey: string) => {
    for (const [limiter, key] of [
      [deps.association.perIdentity, identityKey],
      [deps.association.perIp, rateLimitKeyForAddress(ctx.ip)],
    ] as const) {
      const result = await limiter.consume(key);
      if (!result.allowed)
        throw new RateLimitedError('too_many_requests', 'association request limit reached', result.retryAfterSeconds);
    }
  };

  const send = async (
    ctx: Context,
    details: InteractionDetails,
    state: Extract<ReturnType<typeof readBrokerState>, { step: 'identified' }>,
    email: string,
  ) => {
    const portal = await portalOf(deps, details);
    // The same address again within the cooldown is a resend: it waits like one ("use another address" is for a
    // different address, e.g. a typo, and is not held up).
    const previous = state.association?.lastRequest;
    const now = Math.floor(deps.clock.now().getTime() / 1000);
    const wait =
      previous && previous.email.toLowerCase() === email.toLowerCase()
        ? previous.at + deps.config.association.resendCooldownSeconds - now
        : 0;
    if (wait > 0) {
      renderEmailSent(
        ctx,
        deps,
        pageCommon(deps, details, portal, state.identity),
        { email, requestedAt: previous!.at },
        true,
      );
      return;
    }
    await checkLimits(details, ctx, `${state.identity.upstreamId}|${state.identity.subject}`);
    await save(ctx, state, { email, requestedAt: now, lastRequest: { email, at: now } });
    // Only once the response has gone (or the client has gone): work done for a registered address must not delay,
    // and so reveal, the response.
    const request = {
      email,
      identity: state.identity,
      client: { id: portal.client.clientId, name: portal.name, policy: portal.policy },
      ip: ctx.ip,
    };
    ctx.res.once('close', () => deps.association.request(request));
  };

  router.post('/', form, async (ctx) => {
    const { details, state } = await identified(ctx);
    const input = parseInput(emailForm, ctx.request.body);
    deps.csrf.verify(ctx, details.uid, input.csrf);
    const email = input.email.trim();
    if (!address.safeParse(email).success) {
      const portal = await portalOf(deps, details);
      ctx.status = 400;
      ctx.body = deps.views.render('interaction/association-email', {
        ...pageCommon(deps, details, portal, state.identity),
        title: 'Enter your registered email address',
        email,
        invalidEmail: true,
      });
      return;
    }
    await send(ctx, details, state, email);
  });

  router.post('/resend', form, async (ctx) => {
    const { details, state } = await identified(ctx);
    deps.csrf.verify(ctx, details.uid, parseInput(csrfOnly, ctx.request.body).csrf);
    const step = state.association;
    if (!step?.email) throw new BadRequestError('no_address', 'resend without an address');
    await send(ctx, details, state, step.email);
  });

  // Asked by the "check your email" page's script: can the sign-in carry on, i.e. does this person now hold a
  // profile this portal admits? (Profiles it does not admit were there before the email step; they change nothing.)
  router.get('/status', async (ctx) => {
    const { details, state } = await identified(ctx);
    const portal = await portalOf(deps, details);
    const { admitted } = await deps.profiles.forIdentity(state.identity, portal.policy);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { ready: admitted.length > 0 };
  });

  router.post('/change', form, async (ctx) => {
    const { details, state } = await identified(ctx);
    deps.csrf.verify(ctx, details.uid, parseInput(csrfOnly, ctx.request.body).csrf);
    // Keep the last request, so that asking for the same address again still respects the cooldown.
    await save(ctx, state, { asking: true, lastRequest: state.association?.lastRequest });
  });

  return router;
}

import { AsyncLocalStorage } from 'node:async_hooks';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { brokerResult, type AssociationStep } from '../../oidc/interaction-state.ts';
import { BadRequestError } from '../../shared/errors.ts';
import { emailPageTitle, newlyAdmitted, pageCommon, renderEmailSent } from '../profile-step.ts';
import type { Person } from '../steps/identity.ts';
import type { InteractionSteps, Portal } from '../steps/interaction-steps.ts';
import { route } from '../steps/route.ts';
import type { InteractionDetails } from '../interaction-context.ts';
import { saveInteractionResult } from '../save-interaction-result.ts';
import type { PageDeps } from '../use-cases.ts';

const csrfOnly = z.object({ csrf: z.string().max(200) });
const emailForm = z.object({ csrf: z.string().max(200), email: z.string().max(320) });
const address = z.email().max(254);

/**
 * Seed steps 4–5 inside the interrupted sign-in: the registered address, "check your email", resend and
 * "use another address". Responses depend only on what the person typed, never on what the directory holds.
 * The person comes from this interaction's upstream sign-in, or else (the ineligible page reached from an existing
 * session) from a session that may be trusted for it.
 */
export function associationRequestRoutes(deps: PageDeps, steps: InteractionSteps): Router {
  const router = new Router({ prefix: '/interaction/:uid/associate' });
  const known = [steps.interaction, steps.portal, steps.person] as const;

  /** Keeps the association step in the interaction and shows its page again. */
  const save = async (ctx: Context, interaction: InteractionDetails, person: Person, association: AssociationStep) => {
    await saveInteractionResult(
      interaction,
      brokerResult({ step: 'identified', identity: person.identity, remember: person.remember, association }),
    );
    ctx.status = 303;
    ctx.redirect(`/interaction/${ctx.params.uid}`);
  };

  /**
   * The profiles admitted when the person first asked, kept when there were some (associating another): the waiting
   * page waits for one not among them. It reads what this identity holds, never what the typed address matches.
   */
  const admittedBefore = async (person: Person, portal: Portal): Promise<Pick<AssociationStep, 'before'>> => {
    if (person.association?.before) return { before: person.association.before };
    const { admitted } = await deps.useCases.profiles.admittedFor(person.identity, portal.policy);
    return admitted.length ? { before: admitted.map((c) => c.profile.id) } : {};
  };

  const send = async (
    ctx: Context,
    { interaction, portal, person }: { interaction: InteractionDetails; portal: Portal; person: Person },
    email: string,
  ) => {
    // The same address again within the cooldown is a resend: it waits like one ("use another address" is for a
    // different address, e.g. a typo, and is not held up).
    const previous = person.association?.lastRequest;
    const now = Math.floor(deps.clock.now().getTime() / 1000);
    const again = previous?.email.toLowerCase() === email.toLowerCase();
    const wait = again ? previous!.at + deps.config.association.resendCooldownSeconds - now : 0;
    if (wait > 0) {
      const common = pageCommon(deps, interaction, portal, person.identity);
      renderEmailSent(ctx, deps, common, { email, requestedAt: previous!.at }, true);
      return;
    }
    await deps.useCases.links.checkRequester({ identity: person.identity, ip: ctx.ip });
    await save(ctx, interaction, person, {
      email,
      requestedAt: now,
      ...(again ? { resent: true } : {}),
      lastRequest: { email, at: now },
      ...(await admittedBefore(person, portal)),
    });
    // Only once the response has gone (or the client has gone): work done for a registered address must not delay,
    // and so reveal, the response.
    const request = {
      email,
      identity: person.identity,
      client: { id: portal.client.clientId, name: portal.name, policy: portal.policy },
      ip: ctx.ip,
      language: deps.views.language(ctx),
    };
    // Bound to this request's async context: a 'close' listener runs in the socket's, and the work is still this
    // request's (its log lines and audit events carry its id, access-log.ts).
    ctx.res.once(
      'close',
      AsyncLocalStorage.bind(() => deps.useCases.links.request(request)),
    );
  };

  router.post(
    '/',
    ...route([steps.body, ...known, steps.form(emailForm), steps.csrf], async (ctx) => {
      const { interaction, portal, person, form } = ctx.state;
      const email = form.email.trim();
      if (!address.safeParse(email).success) {
        const { before } = await admittedBefore(person, portal);
        ctx.status = 400;
        ctx.body = deps.views.page(ctx, 'interaction/association-email', {
          ...pageCommon(deps, interaction, portal, person.identity),
          ...emailPageTitle(ctx, deps, before !== undefined),
          email,
          invalidEmail: true,
        });
        return;
      }
      await send(ctx, ctx.state, email);
    }),
  );

  // The pages these forms answer with (a mistyped address, a resend too soon) offer the language switch, which links
  // to their address: the choice is kept (page-language.ts) and the sign-in's page shows again, in that language.
  for (const path of ['/', '/resend']) {
    router.get(path, (ctx) => {
      ctx.status = 303;
      ctx.redirect(`/interaction/${encodeURIComponent(ctx.params.uid!)}`);
    });
  }

  router.post(
    '/resend',
    ...route([steps.body, ...known, steps.form(csrfOnly), steps.csrf], async (ctx) => {
      const email = ctx.state.person.association?.email;
      if (!email) throw new BadRequestError('no_address', 'resend without an address');
      await send(ctx, ctx.state, email);
    }),
  );

  // Asked by the "check your email" page's script: can the sign-in carry on, i.e. does this person now hold a
  // profile this portal admits? (Profiles it does not admit were there before the email step; they change nothing.)
  router.get(
    '/status',
    ...route(known, async (ctx) => {
      const { portal, person } = ctx.state;
      const { admitted } = await deps.useCases.profiles.admittedFor(person.identity, portal.policy);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { ready: newlyAdmitted(admitted, person.association).length > 0 };
    }),
  );

  router.post(
    '/change',
    ...route([steps.body, ...known, steps.form(csrfOnly), steps.csrf], async (ctx) => {
      const { interaction, person, portal } = ctx.state;
      // Keep the last request, so that asking for the same address again still respects the cooldown.
      await save(ctx, interaction, person, {
        asking: true,
        lastRequest: person.association?.lastRequest,
        ...(await admittedBefore(person, portal)),
      });
    }),
  );

  return router;
}

import type { Context } from 'koa';
import { personActor } from '../audit/audit-log.ts';
import { referenceCode } from '../shared/ids.ts';
import type { UpstreamIdentity } from '../directory/model.ts';
import { upstreamIdsOf } from '../oidc/client-policy.ts';
import type { AssociationStep } from '../oidc/interaction-state.ts';
import {
  finishInteraction,
  LAST_PROFILE_COOKIE,
  portalOf,
  requestedPrompts,
  type InteractionDeps,
  type InteractionDetails,
} from './interaction-context.ts';

const YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * After the person is known upstream: sign in with their one admitted profile, show the picker, or say plainly
 * why they cannot continue (no profile associated yet, or none this portal admits).
 */
export async function showProfileStep(
  ctx: Context,
  deps: InteractionDeps,
  details: InteractionDetails,
  identity: Pick<UpstreamIdentity, 'upstreamId' | 'subject'>,
  options: { remember: boolean; forcePicker: boolean; authTime: number; association?: AssociationStep },
) {
  const portal = await portalOf(deps, details);
  const { admitted, refused } = await deps.profiles.forIdentity(identity, portal.policy);
  const common = pageCommon(deps, details, portal, identity);
  ctx.set('Cache-Control', 'no-store');

  if (admitted.length === 0 && options.association?.email) {
    // Waiting for the person to follow an emailed link; this page reloads itself and moves on once one lands.
    renderEmailSent(ctx, deps, common, options.association);
    return;
  }
  if (admitted.length === 0 && (refused.length === 0 || options.association?.asking)) {
    ctx.status = 200;
    ctx.body = deps.views.render('interaction/association-email', {
      ...common,
      title: 'Enter your registered email address',
    });
    return;
  }
  if (admitted.length === 0) {
    // Support will be asked "why can I not sign in": the page gives a reference, the audit log says why.
    const reference = referenceCode();
    await deps.audit
      .record({
        id: reference,
        at: deps.clock.now(),
        action: 'sign_in.refused',
        outcome: 'failure',
        actor: personActor(identity),
        ip: ctx.ip,
        clientId: portal.client.clientId,
        ...(refused.length === 1
          ? { profileId: refused[0]!.profile.id, organisationId: refused[0]!.profile.organisationId }
          : {}),
        details: { reasons: refused.map((c) => `${c.profile.id}:${c.reason}`).join(' ') },
      })
      .catch((err: Error) =>
        deps.logger.warn('audit.not_recorded', { action: 'sign_in.refused', reference, message: err.message }),
      );
    ctx.status = 403;
    ctx.body = deps.views.render('interaction/ineligible', {
      ...common,
      title: `You cannot sign in to ${portal.name}`,
      refused: refused.map(describeRefusal),
      reference,
    });
    return;
  }
  if (admitted.length === 1 && !options.forcePicker) {
    await signInAs(
      ctx,
      deps,
      details,
      admitted[0]!.profile.id,
      options.remember,
      loginTime(options.authTime, admitted[0]!),
    );
    return;
  }
  const last = ctx.cookies.get(LAST_PROFILE_COOKIE, { signed: true });
  const selected = admitted.some((c) => c.profile.id === last)
    ? last
    : (details.session?.accountId ?? admitted[0]!.profile.id);
  ctx.status = 200;
  ctx.body = deps.views.render('interaction/picker', {
    ...common,
    title: 'Choose a profile',
    remember: options.remember,
    profiles: admitted.map((c) => ({ ...describe(c), selected: c.profile.id === selected })),
    refused: refused.map(describeRefusal),
  });
}

type PageCommon = ReturnType<typeof pageCommon>;

/** What every page of the profile and association steps shows. */
export function pageCommon(
  deps: InteractionDeps,
  details: InteractionDetails,
  portal: Awaited<ReturnType<typeof portalOf>>,
  identity: Pick<UpstreamIdentity, 'upstreamId'>,
) {
  return {
    uid: details.uid,
    csrf: deps.csrf.tokenFor(details.uid),
    portalName: portal.name,
    support: deps.config.support,
    upstreamName: deps.upstreams.get(identity.upstreamId)?.config.name ?? identity.upstreamId,
    // "Use another account" buttons: a fresh upstream sign-in, in case the person used the wrong account.
    upstreams: deps.upstreams.enabled(upstreamIdsOf(portal.metadata)).map((u) => ({ id: u.id, name: u.name })),
  };
}

/** "Check your email"; `tooSoon` when the person pressed resend during the cooldown. */
export function renderEmailSent(
  ctx: Context,
  deps: InteractionDeps,
  common: PageCommon,
  step: AssociationStep,
  tooSoon = false,
) {
  const now = Math.floor(deps.clock.now().getTime() / 1000);
  const wait = Math.max(0, (step.requestedAt ?? 0) + deps.config.association.resendCooldownSeconds - now);
  ctx.status = tooSoon ? 429 : 200;
  ctx.body = deps.views.render('interaction/association-sent', {
    ...common,
    title: 'Check your email',
    email: step.email,
    resendWaitSeconds: wait,
    tooSoon,
    script: 'wait-for-association.js',
  });
}

/**
 * The authentication time to record for a login as `choice`. An association made after the person's upstream
 * sign-in was made by this same identity through a link, right after a fresh upstream re-authentication: that is
 * the latest authentication (and a login stamped before the association would not be allowed to use it).
 */
export function loginTime(authTime: number, choice: { associatedAt: Date }): number {
  return Math.max(authTime, Math.floor(choice.associatedAt.getTime() / 1000));
}

/** Ends the interaction signed in as a profile; `authTime` is when the person last really authenticated upstream. */
export async function signInAs(
  ctx: Context,
  deps: InteractionDeps,
  details: InteractionDetails,
  profileId: string,
  remember: boolean,
  authTime: number,
) {
  ctx.cookies.set(LAST_PROFILE_COOKIE, profileId, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    path: '/interaction',
    maxAge: YEAR_MS,
  });
  deps.logger.info('interaction.profile_selected', {
    interaction: details.uid,
    profile: profileId,
    client: details.params.client_id,
    switched: requestedPrompts(details).has('select_account'),
  });
  await finishInteraction(ctx, deps, details, {
    login: { accountId: profileId, remember, amr: ['fed'], acr: deps.config.acr, ts: authTime },
  });
}

type Choice = Awaited<ReturnType<InteractionDeps['profiles']['forIdentity']>>['refused'][number];

function describe(choice: Omit<Choice, 'reason'>) {
  return {
    id: choice.profile.id,
    displayName: choice.profile.displayName,
    email: choice.profile.email,
    role: choice.profile.role,
    kind: choice.organisation.kind,
    organisation: choice.organisation.name,
    accountNumber: choice.organisation.accountNumber,
    contractEndsOn: choice.organisation.contractEndsOn,
  };
}

function describeRefusal(choice: Choice) {
  return { ...describe(choice), reason: choice.reason };
}

import type { Context } from 'koa';
import type { UpstreamIdentity } from '../directory/model.ts';
import { upstreamIdsOf } from '../oidc/client-policy.ts';
import { finishInteraction, LAST_PROFILE_COOKIE, portalOf, requestedPrompts, type InteractionDeps, type InteractionDetails } from './interaction-context.ts';

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
  options: { remember: boolean; forcePicker: boolean },
) {
  const portal = await portalOf(deps, details);
  const { admitted, refused } = await deps.profiles.forIdentity(identity, portal.policy);
  const common = {
    uid: details.uid,
    csrf: deps.csrf.tokenFor(details.uid),
    portalName: portal.name,
    support: deps.config.support,
    upstreamName: deps.upstreams.get(identity.upstreamId)?.config.name ?? identity.upstreamId,
    // "Use another account" buttons: a fresh upstream sign-in, in case the person used the wrong account.
    upstreams: deps.upstreams.enabled(upstreamIdsOf(portal.metadata)).map((u) => ({ id: u.id, name: u.name })),
  };
  ctx.set('Cache-Control', 'no-store');

  if (admitted.length === 0 && refused.length === 0) {
    ctx.status = 200;
    ctx.body = deps.views.render('interaction/not-associated', { ...common, title: 'Your account is not associated yet' });
    return;
  }
  if (admitted.length === 0) {
    ctx.status = 403;
    ctx.body = deps.views.render('interaction/ineligible', { ...common, title: `You cannot sign in to ${portal.name}`, refused: refused.map(describeRefusal) });
    return;
  }
  if (admitted.length === 1 && !options.forcePicker) {
    await signInAs(ctx, deps, details, admitted[0]!.profile.id, options.remember);
    return;
  }
  const last = ctx.cookies.get(LAST_PROFILE_COOKIE, { signed: true });
  const selected = admitted.some((c) => c.profile.id === last) ? last : details.session?.accountId ?? admitted[0]!.profile.id;
  ctx.status = 200;
  ctx.body = deps.views.render('interaction/picker', {
    ...common,
    title: 'Choose a profile',
    remember: options.remember,
    profiles: admitted.map((c) => ({ ...describe(c), selected: c.profile.id === selected })),
    refused: refused.map(describeRefusal),
  });
}

export async function signInAs(ctx: Context, deps: InteractionDeps, details: InteractionDetails, profileId: string, remember: boolean) {
  ctx.cookies.set(LAST_PROFILE_COOKIE, profileId, { signed: true, httpOnly: true, sameSite: 'lax', path: '/interaction', maxAge: YEAR_MS });
  deps.logger.info('interaction.profile_selected', { interaction: details.uid, profile: profileId, client: details.params.client_id, switched: requestedPrompts(details).has('select_account') });
  await finishInteraction(ctx, deps, details, {
    login: { accountId: profileId, remember, amr: ['fed'], acr: deps.config.acr, ts: Math.floor(deps.clock.now().getTime() / 1000) },
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

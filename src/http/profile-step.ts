import type { Context } from 'koa';
import type { AssociatedChoice, RefusedProfile } from '../directory/admitted-profiles.ts';
import type { UpstreamIdentity } from '../directory/model.ts';
import { ASSOCIATE_ANOTHER, ASSOCIATE_PARAMETER } from '../oidc/associate-parameter.ts';
import { readBrokerState, type AssociationStep, type UpstreamSignInResult } from '../oidc/interaction-state.ts';
import type { Person } from './steps/identity.ts';
import { finishInteraction, requestedPrompts, type InteractionDetails } from './interaction-context.ts';
import type { Portal } from './steps/interaction-steps.ts';
import type { PageDeps } from './use-cases.ts';
import { lastProfileAmong, rememberLastProfile } from './last-profile.ts';
import { countTemplates } from '../i18n/count-templates.ts';

/**
 * After the person is known upstream: sign in with their one admitted profile, show the picker, or say plainly
 * why they cannot continue (no profile associated yet, or none this portal admits).
 */
export async function showProfileStep(
  ctx: Context,
  deps: PageDeps,
  { interaction: details, portal }: { interaction: InteractionDetails; portal: Portal },
  person: Person,
  options: { forcePicker: boolean },
) {
  const { identity, association } = person;
  const { admitted, refused } = await deps.useCases.profiles.admittedFor(identity, portal.policy);
  const common = pageCommon(deps, details, portal, identity);
  ctx.set('Cache-Control', 'no-store');
  // Associating another profile waits for one that was not there when the person asked; a first login for any.
  const added = newlyAdmitted(admitted, association);
  // The client asked for the association step up front (associate=another), and the person has not answered it yet.
  const another = details.params[ASSOCIATE_PARAMETER] === ASSOCIATE_ANOTHER && !association;

  if (added.length === 0 && association?.email) {
    // Waiting for the person to follow an emailed link; this page reloads itself and moves on once one lands.
    renderEmailSent(ctx, deps, common, association);
    return;
  }
  if (another || (added.length === 0 && association?.asking) || (admitted.length === 0 && refused.length === 0)) {
    ctx.status = 200;
    ctx.body = deps.views.page(ctx, 'interaction/association-email', {
      ...common,
      ...emailPageTitle(ctx, deps, admitted.length > 0),
    });
    return;
  }
  if (admitted.length === 0) {
    const reference = await deps.useCases.signIns.refuse({
      identity,
      clientId: portal.client.clientId,
      ip: ctx.ip,
      refused,
    });
    ctx.status = 403;
    ctx.body = deps.views.page(ctx, 'interaction/ineligible', {
      ...common,
      title: deps.views.t(ctx, 'interaction.ineligible.title', { portal: portal.name }),
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
      person.remember,
      loginTime(person.authTime, admitted[0]!),
    );
    return;
  }
  const last = lastProfileAmong(
    ctx,
    admitted.map((c) => c.profile.id),
  );
  // The profile just associated, when the person came to associate another; else the last one chosen here.
  const selected =
    association?.before?.length && added.length
      ? added[0]!.profile.id
      : (last ?? details.session?.accountId ?? admitted[0]!.profile.id);
  ctx.status = 200;
  ctx.body = deps.views.page(ctx, 'interaction/picker', {
    ...common,
    title: deps.views.t(ctx, 'interaction.picker.title'),
    remember: person.remember,
    profiles: admitted.map((c) => ({ ...describe(c), selected: c.profile.id === selected })),
    refused: refused.map(describeRefusal),
  });
}

type PageCommon = ReturnType<typeof pageCommon>;

/** The registered-address page's title: a first association, or another profile for an identity that has one. */
export function emailPageTitle(ctx: Context, deps: PageDeps, another: boolean) {
  return another
    ? { title: deps.views.t(ctx, 'interaction.email.anotherTitle'), another: true }
    : { title: deps.views.t(ctx, 'interaction.email.title') };
}

/** The admitted profiles that were not admitted yet when the person asked to associate another (all, at a first login). */
export function newlyAdmitted<C extends { profile: { id: string } }>(
  admitted: C[],
  association?: AssociationStep,
): C[] {
  const before = new Set(association?.before ?? []);
  return admitted.filter((c) => !before.has(c.profile.id));
}

/** What every page of the profile and association steps shows. */
export function pageCommon(
  deps: PageDeps,
  details: InteractionDetails,
  portal: Portal,
  identity: Pick<UpstreamIdentity, 'upstreamId'>,
) {
  return {
    uid: details.uid,
    csrf: deps.csrf.tokenFor(details.uid),
    portalName: portal.name,
    support: deps.config.support,
    upstreamName: deps.upstreams.get(identity.upstreamId)?.config.name ?? identity.upstreamId,
    // "Use another account" buttons: a fresh upstream sign-in, in case the person used the wrong account.
    upstreams: portal.upstreams.map((u) => ({ id: u.id, name: u.name })),
  };
}

/**
 * "Check your email"; `tooSoon` when the person pressed resend during the cooldown. The page says when the email was
 * sent again, and, when the person pressed "Continue" before any link was followed, that it is still waiting. The
 * cooldown's sentence comes with its plural forms, for the page's script to count down.
 */
export function renderEmailSent(
  ctx: Context,
  deps: PageDeps,
  common: PageCommon,
  step: AssociationStep,
  tooSoon = false,
) {
  const now = Math.floor(deps.clock.now().getTime() / 1000);
  const wait = Math.max(0, (step.requestedAt ?? 0) + deps.config.association.resendCooldownSeconds - now);
  ctx.status = tooSoon ? 429 : 200;
  const countdown = (key: string) =>
    JSON.stringify(countTemplates(deps.views.language(ctx), (seconds) => deps.views.t(ctx, key, { seconds })));
  ctx.body = deps.views.page(ctx, 'interaction/association-sent', {
    ...common,
    title: deps.views.t(ctx, 'interaction.sent.title'),
    email: step.email,
    resendWaitSeconds: wait,
    resendWaitTemplates: wait > 0 ? countdown('interaction.sent.resendWait') : undefined,
    tooSoonTemplates: tooSoon ? countdown('interaction.sent.tooSoon') : undefined,
    tooSoon,
    resent: !tooSoon && step.resent === true,
    // "Continue" (the page's own address with `waiting`) pressed before the association was made.
    stillWaiting: !tooSoon && ctx.query.waiting !== undefined,
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
  deps: PageDeps,
  details: InteractionDetails,
  profileId: string,
  remember: boolean,
  authTime: number,
) {
  rememberLastProfile(ctx, profileId);
  deps.logger.info('interaction.profile_selected', {
    interaction: details.uid,
    profile: profileId,
    client: details.params.client_id,
    switched: requestedPrompts(details).has('select_account'),
  });
  // The upstream sign-in this login came from goes to the broker session (http/session-tracking.ts).
  const state = readBrokerState(details.result);
  const upstream: UpstreamSignInResult | undefined =
    state?.step === 'identified'
      ? { id: state.identity.upstreamId, subject: state.identity.subject, idToken: state.upstreamIdToken }
      : details.session?.uid
        ? await deps.useCases.sessions.upstreamSignInOf(details.session.uid)
        : undefined;
  // Another profile than the session's: oidc-provider ends that session on the way (http/session-tracking.ts).
  if (details.session?.uid && details.session.accountId && details.session.accountId !== profileId)
    await deps.useCases.sessions.markProfileSwitch(details.session.uid, profileId);
  await finishInteraction(ctx, details, {
    login: { accountId: profileId, remember, amr: ['fed'], acr: deps.config.acr, ts: authTime },
    ...(upstream ? { upstream } : {}),
  });
}

function describe(choice: AssociatedChoice) {
  return {
    id: choice.profile.id,
    displayName: choice.profile.displayName,
    email: choice.profile.email,
    role: choice.profile.role,
    kind: choice.organisation.kind,
    organisation: choice.organisation.name,
    accountNumber: choice.organisation.accountNumber,
    // A day (YYYY-MM-DD, UTC), printed in the page's language by the catalogue.
    contractEnded: choice.organisation.contractEndsOn
      ? new Date(`${choice.organisation.contractEndsOn}T00:00:00Z`)
      : undefined,
  };
}

function describeRefusal(choice: RefusedProfile) {
  return { ...describe(choice), reason: choice.reason };
}

import type { UpstreamIdentity } from '../../directory/model.ts';
import { readBrokerState, type AssociationStep } from '../../oidc/interaction-state.ts';
import { BadRequestError } from '../../shared/errors.ts';
import { requestedPrompts, type InteractionDetails } from '../interaction-context.ts';
import type { PageDeps } from '../use-cases.ts';
import type { Portal } from './interaction-steps.ts';

/** The person an interaction is for, once known upstream. */
export interface Person {
  identity: UpstreamIdentity;
  /** "Sign me in automatically". */
  remember: boolean;
  /** When the person last really authenticated upstream (epoch seconds). */
  authTime: number;
  /** How far the first-login association step got (association-request.ts). */
  association?: AssociationStep;
}

type Deps = Pick<PageDeps, 'provider' | 'useCases' | 'clock'>;

/** The person this interaction's own upstream round-trip identified, if it did. */
export function personFromRoundTrip(deps: Pick<PageDeps, 'clock'>, details: InteractionDetails): Person | undefined {
  const state = readBrokerState(details.result);
  if (state?.step !== 'identified') return undefined;
  return {
    identity: state.identity,
    remember: state.remember,
    // The upstream's own auth_time when it sent one (verified with the ID token), else the moment it answered.
    authTime: state.identity.authTime ?? Math.floor(deps.clock.now().getTime() / 1000),
    association: state.association,
  };
}

/**
 * The person's upstream identity taken from their broker session instead of a new upstream sign-in (switching
 * profile, or a profile this portal does not admit). Only when the portal did not ask for a fresh login
 * (prompt=login, an exceeded max_age), the session's profile still belongs to the identity it signed in as, and
 * the portal accepts that identity's upstream.
 */
export async function personFromSession(
  deps: Deps,
  details: InteractionDetails,
  portal: Portal,
): Promise<Person | undefined> {
  const accountId = details.session?.accountId;
  if (!accountId || !details.session?.cookie || requestedPrompts(details).has('login')) return undefined;
  const session = await deps.provider.Session.find(details.session.cookie);
  const loginTs = session?.loginTs;
  if (!loginTs) return undefined;
  const maxAge = details.params.max_age;
  // oidc-provider stamps sessions with the system clock, so freshness is judged against it too.
  if (maxAge !== undefined && loginTs + Number(maxAge) < Math.floor(Date.now() / 1000)) return undefined;
  const identity = await deps.useCases.profiles.identityOf(accountId, loginTs);
  if (!identity || !portal.upstreams.some((u) => u.id === identity.upstreamId)) return undefined;
  return { identity: { ...identity, authTime: loginTs }, remember: !session.transient, authTime: loginTs };
}

/** Who the person is upstream, from this interaction's round-trip or else from a trustworthy session. */
export async function identifiedPerson(deps: Deps, details: InteractionDetails, portal: Portal): Promise<Person> {
  const person = personFromRoundTrip(deps, details) ?? (await personFromSession(deps, details, portal));
  if (!person) throw new BadRequestError('not_signed_in', 'no identity for this interaction');
  return person;
}

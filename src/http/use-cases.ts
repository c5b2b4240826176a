import type Provider from 'oidc-provider';
import type { LinkReauthentication } from '../association/link-reauthentication.ts';
import type { FinishedLink, InspectedLink, RedeemOutcome } from '../association/redeem-link.ts';
import type { LinkRequest } from '../association/request-links.ts';
import type { Config } from '../config/schema.ts';
import type { ProfilesForIdentity } from '../directory/admitted-profiles.ts';
import type { AdmissionPolicy } from '../directory/eligibility.ts';
import type { Organisation, Profile, UpstreamIdentity } from '../directory/model.ts';
import type { PortalAdmission } from '../directory/portal-admission.ts';
import type { RefusedSignIn } from '../directory/refuse-sign-in.ts';
import type { Upstreams } from '../federation/upstreams.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { SessionDetails } from '../sessions/session-details.ts';
import type { UpstreamSignInResult } from '../oidc/interaction-state.ts';
import type { PendingSignOut, SignInEvent, SignOutEvent } from '../sessions/session-events.ts';
import type { Csrf } from './csrf.ts';
import type { Views } from './views.ts';

type IdentityKey = Pick<UpstreamIdentity, 'upstreamId' | 'subject'>;

/**
 * The use cases the interaction, association and link pages call, bound to their stores by the composition root
 * (services.ts). The pages see these functions only: no store, no audit log.
 */
export interface InteractionUseCases {
  profiles: {
    /** The identity's profiles, split by what a portal admits. */
    admittedFor(identity: IdentityKey, policy: AdmissionPolicy): Promise<ProfilesForIdentity>;
    /** The identity a signed-in profile belongs to, unless re-associated after `authTime`. */
    identityOf(profileId: string, authTime: number): Promise<IdentityKey | undefined>;
    /** The enabled portals that would let this profile in now. */
    portalsFor(profile: Profile, organisation: Organisation): Promise<PortalAdmission[]>;
  };
  signIns: {
    /** Records why a person may not sign in to a portal; returns the reference the page shows. */
    refuse(refusal: RefusedSignIn): Promise<string>;
  };
  links: {
    /** Refuses (429) a requester over its own limits; says nothing about the address. */
    checkRequester(requester: { identity: IdentityKey; ip: string }): Promise<void>;
    /** Starts sending links for a request, off the request path. */
    request(request: LinkRequest): void;
    inspect(tokenHash: string): Promise<InspectedLink>;
    /** The association a used link made, while it still stands (the success page, reloaded). */
    finished(tokenHash: string): Promise<FinishedLink | undefined>;
    redeem(
      tokenHash: string,
      identity: UpstreamIdentity,
      context: { ip?: string; language?: string },
    ): Promise<RedeemOutcome>;
    reauthentication: LinkReauthentication;
  };
  sessions: {
    /** A portal got a sign-in from a broker session (http/session-tracking.ts). */
    signedIn(event: SignInEvent): Promise<void>;
    /** The broker's sign-out ended a session; what the session knew of its upstream sign-in. */
    signedOut(event: SignOutEvent): Promise<SessionDetails | undefined>;
    /** The upstream sign-in a session came from, handed on when a login replaces the session (a profile switch). */
    upstreamSignInOf(sessionId: string): Promise<UpstreamSignInResult | undefined>;
    /** The person in this session picked another profile (oidc-provider ends the session for it on the way). */
    markProfileSwitch(sessionId: string, to: string): Promise<void>;
    /** Whether the session that just ended ended for a profile switch, not a sign-out. */
    takeProfileSwitch(sessionId: string): Promise<boolean>;
    /** Keeps a sign-out that goes on to the upstream; returns the handle it comes back with. */
    beginUpstreamSignOut(pending: PendingSignOut): Promise<string>;
    /** A sign-out under way, read (`take`: and forgotten) by its handle. */
    pendingSignOut(handle: string, options: { take: boolean }): Promise<PendingSignOut | undefined>;
  };
}

/** What the broker's own pages are built from: the use cases, plus the HTTP-side parts they render with. */
export interface PageDeps {
  useCases: InteractionUseCases;
  config: Config;
  provider: Provider;
  upstreams: Upstreams;
  views: Views;
  csrf: Csrf;
  clock: Clock;
  logger: Logger;
}

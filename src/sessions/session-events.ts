import type { AuditLog } from '../audit/audit-log.ts';
import type { Clock } from '../shared/clock.ts';
import { randomToken, referenceCode } from '../shared/ids.ts';
import type { UpstreamSignInResult } from '../oidc/interaction-state.ts';
import type { SessionStore } from '../shared/session-store.ts';
import { recordSessionEnd } from './broker-sessions.ts';
import { browserText, type SessionDetails } from './session-details.ts';

/** A portal got a sign-in from a broker session. `fresh` is the upstream sign-in when the person just logged in. */
export interface SignInEvent {
  sessionId: string;
  profileId: string;
  clientId: string;
  fresh?: { upstreamId: string; subject: string; idToken?: string };
  userAgent?: string;
  ip?: string;
}

/** The broker's sign-out page ended a session (the person said "Yes, sign me out"). */
export interface SignOutEvent {
  sessionId: string;
  profileId: string;
  /** The portals the session had signed in to. */
  clients: readonly string[];
  /** The portal that sent the person to sign out, if one did. */
  clientId?: string;
  /** Signed out, or ended by choosing another profile (oidc-provider starts a new session for it). */
  reason: 'signed_out' | 'profile_switched';
  ip?: string;
}

/** A sign-out that went on to the upstream, waiting for the person to come back from it. */
export interface PendingSignOut {
  /** Where the broker's own sign-out was about to send the person: the portal's post-logout URI or its own page. */
  returnTo: string;
  upstreamId: string;
  clientName?: string;
}

export interface SessionEventDeps {
  details: SessionStore<SessionDetails>;
  pending: SessionStore<PendingSignOut>;
  /** Sessions whose person is picking another profile, which oidc-provider ends on the way (a principal change). */
  switches: SessionStore<{ to: string }>;
  audit: AuditLog;
  clock: Clock;
  /** How long a broker session may live, and so its details. */
  sessionTtlSeconds: number;
}

/** How long the broker waits for a person to come back from signing out upstream. */
const PENDING_SIGN_OUT_SECONDS = 600;

const actorOf = (details: SessionDetails) =>
  details.upstreamId && details.upstreamSubject
    ? `person:${details.upstreamId}:${details.upstreamSubject}`
    : `profile:${details.profileId}`;

/** Keeps what the session came from (upstream, browser), marks it used, and records the sign-in. */
export async function recordSignIn(deps: SessionEventDeps, event: SignInEvent): Promise<void> {
  const now = deps.clock.now();
  // A fresh login describes the session anew; a sign-in from the session keeps what it knew.
  const existing = event.fresh ? undefined : await deps.details.get(event.sessionId);
  const details: SessionDetails = event.fresh
    ? {
        profileId: event.profileId,
        upstreamId: event.fresh.upstreamId,
        upstreamSubject: event.fresh.subject,
        ...(event.fresh.idToken ? { upstreamIdToken: event.fresh.idToken } : {}),
        ...(browserText(event.userAgent) ? { browser: browserText(event.userAgent) } : {}),
        lastUsedAt: now.getTime(),
      }
    : {
        ...(existing ?? { browser: browserText(event.userAgent) }),
        profileId: event.profileId,
        lastUsedAt: now.getTime(),
      };
  await deps.details.set(event.sessionId, details, deps.sessionTtlSeconds);
  await deps.audit.record({
    id: referenceCode(),
    at: now,
    action: 'sign_in.succeeded',
    outcome: 'success',
    actor: actorOf(details),
    ...(event.ip ? { ip: event.ip } : {}),
    profileId: event.profileId,
    clientId: event.clientId,
    details: {
      session: event.sessionId,
      ...(details.upstreamId ? { upstream: details.upstreamId } : {}),
      // A sign-in from the existing broker session, without going to the upstream.
      single_sign_on: !event.fresh,
    },
  });
}

/** Forgets the session and records its end; returns what it knew of the upstream sign-in, to sign out there too. */
export async function recordSignOut(deps: SessionEventDeps, event: SignOutEvent): Promise<SessionDetails | undefined> {
  const details = await deps.details.get(event.sessionId);
  await deps.details.delete(event.sessionId);
  await recordSessionEnd(
    deps,
    details ? actorOf(details) : `profile:${event.profileId}`,
    { uid: event.sessionId, accountId: event.profileId, clients: event.clients },
    event.reason,
    {
      ...(event.clientId ? { clientId: event.clientId } : {}),
      ...(details?.upstreamId ? { upstreamId: details.upstreamId } : {}),
      ...(event.ip ? { ip: event.ip } : {}),
    },
  );
  return details;
}

export async function beginUpstreamSignOut(deps: SessionEventDeps, pending: PendingSignOut): Promise<string> {
  const handle = randomToken();
  await deps.pending.set(handle, pending, PENDING_SIGN_OUT_SECONDS);
  return handle;
}

/** A sign-out under way; `take` forgets it as it is read (the person came back from the upstream). */
export async function pendingSignOut(
  deps: SessionEventDeps,
  handle: string,
  options: { take: boolean },
): Promise<PendingSignOut | undefined> {
  const pending = await deps.pending.get(handle);
  if (pending && options.take) await deps.pending.delete(handle);
  return pending;
}

/** The upstream sign-in a session came from, for a login that starts a new session from it (a profile switch). */
export async function upstreamSignInOfSession(
  deps: SessionEventDeps,
  sessionId: string,
): Promise<UpstreamSignInResult | undefined> {
  const details = await deps.details.get(sessionId);
  return details?.upstreamId && details.upstreamSubject
    ? {
        id: details.upstreamId,
        subject: details.upstreamSubject,
        ...(details.upstreamIdToken ? { idToken: details.upstreamIdToken } : {}),
      }
    : undefined;
}

/** The person in session `sessionId` picked another profile: its end, just after, is a switch, not a sign-out. */
export async function markProfileSwitch(deps: SessionEventDeps, sessionId: string, to: string): Promise<void> {
  await deps.switches.set(sessionId, { to }, PENDING_SIGN_OUT_SECONDS);
}

/** Whether the session that just ended was ending for a profile switch (and forgets it). */
export async function takeProfileSwitch(deps: SessionEventDeps, sessionId: string): Promise<boolean> {
  const marked = await deps.switches.get(sessionId);
  if (marked) await deps.switches.delete(sessionId);
  return Boolean(marked);
}

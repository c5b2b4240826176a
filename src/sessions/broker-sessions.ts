import type { AdapterPayload } from 'oidc-provider';
import type { AuditLog } from '../audit/audit-log.ts';
import type { BrokerAdapter } from '../oidc/broker-adapter.ts';
import type { Clock } from '../shared/clock.ts';
import { referenceFor } from '../shared/ids.ts';
import type { SessionStore } from '../shared/session-store.ts';
import type { BackchannelNotice, LogoutAnnouncer } from './backchannel-logout.ts';
import type { SessionDetails } from './session-details.ts';
import { browserName } from './browser-name.ts';

/** Why a session ended, as the audit log and the `session.ended` event say it. */
export type SessionEndReason =
  | 'signed_out'
  | 'profile_switched'
  | 'ended_by_person'
  | 'signed_out_everywhere'
  | 'support'
  | 'association_removed'
  | 'reassociated'
  | 'profile_disabled'
  | 'email_changed';

/** One broker session of a profile, as "My account" and the support desk see it. */
export interface BrokerSession {
  /** The session's uid: stable for its life, and not the cookie's value (which would let anyone holding it in). */
  id: string;
  profileId: string;
  startedAt: Date;
  lastUsedAt?: Date;
  /** The browser and system, as a person recognises them ("Chrome 126 on Windows 10"). */
  browser?: string;
  upstreamId?: string;
  /** The portals signed in with this session. */
  portals: { clientId: string; name: string }[];
  /** The session the asking browser is in (it holds `currentSid`, the sid of one of its portals). */
  current: boolean;
}

export interface SessionControlDeps {
  adapter: BrokerAdapter;
  details: SessionStore<SessionDetails>;
  logout: LogoutAnnouncer;
  audit: AuditLog;
  clock: Clock;
  /** A client's name to show, or undefined for a client that is gone. */
  clientName(clientId: string): Promise<string | undefined>;
  /** Whether the client registered a back-channel logout URI (only those get notices). */
  hearsLogout(clientId: string): Promise<boolean>;
}

interface Authorization {
  sid?: string;
  grantId?: string;
  persistsLogout?: boolean;
}

const authorizationsOf = (session: AdapterPayload) =>
  Object.entries((session.authorizations ?? {}) as Record<string, Authorization>);

/** The sessions of these profiles, newest first; `currentSid` (from the asker's ID token) marks the asker's own. */
export async function listSessions(
  deps: SessionControlDeps,
  profileIds: readonly string[],
  currentSid?: string,
): Promise<BrokerSession[]> {
  const sessions = (await Promise.all(profileIds.map((id) => deps.adapter.sessionsOf(id)))).flat();
  const listed = await Promise.all(
    sessions.map(async (session): Promise<BrokerSession> => {
      const details = await deps.details.get(String(session.uid));
      const portals = await Promise.all(
        authorizationsOf(session).map(async ([clientId]) => ({
          clientId,
          name: (await deps.clientName(clientId)) ?? clientId,
        })),
      );
      return {
        id: String(session.uid),
        profileId: String(session.accountId),
        startedAt: new Date((session.loginTs ?? 0) * 1000),
        ...(details ? { lastUsedAt: new Date(details.lastUsedAt) } : {}),
        ...(details?.browser ? { browser: browserName(details.browser) } : {}),
        ...(details?.upstreamId ? { upstreamId: details.upstreamId } : {}),
        portals,
        current: Boolean(currentSid) && authorizationsOf(session).some(([, a]) => a.sid === currentSid),
      };
    }),
  );
  return listed.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
}

/** The back-channel notices a session's end owes: one per portal of the session that listens for them. */
export async function noticesFor(deps: Pick<SessionControlDeps, 'hearsLogout'>, session: AdapterPayload) {
  const notices: BackchannelNotice[] = [];
  for (const [clientId, { sid }] of authorizationsOf(session)) {
    if (sid && session.accountId && (await deps.hearsLogout(clientId)))
      notices.push({ clientId, accountId: String(session.accountId), sid });
  }
  return notices;
}

/** Records that a session ended; once per session, however often its end is retried. */
export async function recordSessionEnd(
  deps: Pick<SessionControlDeps, 'audit' | 'clock'>,
  actor: string,
  session: { uid: string; accountId: string; clients: readonly string[] },
  reason: SessionEndReason,
  extra: { clientId?: string; upstreamId?: string; ip?: string; note?: string } = {},
): Promise<void> {
  await deps.audit.record({
    id: referenceFor(`session-ended:${session.uid}`),
    at: deps.clock.now(),
    action: 'session.ended',
    outcome: 'success',
    actor,
    profileId: session.accountId,
    ...(extra.clientId ? { clientId: extra.clientId } : {}),
    ...(extra.ip ? { ip: extra.ip } : {}),
    details: {
      session: session.uid,
      reason,
      portals: session.clients.length,
      ...(extra.upstreamId ? { upstream: extra.upstreamId } : {}),
      ...(extra.note ? { note: extra.note } : {}),
    },
  });
}

/**
 * Ends one session as a sign-out does: the portals that listen are told first (their notices are queued, so a
 * crash after this point still tells them), then the session's grants that end with it are revoked (offline access
 * outlives a sign-out by design) and the session is gone.
 */
async function end(
  deps: SessionControlDeps,
  actor: string,
  session: AdapterPayload,
  reason: SessionEndReason,
  note?: string,
) {
  await deps.logout.announce(await noticesFor(deps, session));
  for (const [, authorization] of authorizationsOf(session)) {
    if (!authorization.grantId || authorization.persistsLogout) continue;
    await deps.adapter('Grant').destroy(authorization.grantId);
    await deps.adapter('AccessToken').revokeByGrantId(authorization.grantId);
  }
  await deps.adapter('Session').destroy(String(session.jti));
  await forget(deps, actor, session, reason, note);
}

/** The session is gone: its details go too, and its end is recorded. */
async function forget(
  deps: SessionControlDeps,
  actor: string,
  session: AdapterPayload,
  reason: SessionEndReason,
  note?: string,
) {
  const uid = String(session.uid);
  const details = await deps.details.get(uid);
  await deps.details.delete(uid);
  await recordSessionEnd(
    deps,
    actor,
    { uid, accountId: String(session.accountId), clients: authorizationsOf(session).map(([id]) => id) },
    reason,
    { ...(details?.upstreamId ? { upstreamId: details.upstreamId } : {}), ...(note ? { note } : {}) },
  );
}

/** Ends the session `sessionId` of one of these profiles; false when none of them has it (gone, or not theirs). */
export async function endSession(
  deps: SessionControlDeps,
  actor: string,
  profileIds: readonly string[],
  sessionId: string,
  reason: SessionEndReason,
  note?: string,
): Promise<boolean> {
  for (const profileId of profileIds) {
    const session = (await deps.adapter.sessionsOf(profileId)).find((s) => s.uid === sessionId);
    if (session) {
      await end(deps, actor, session, reason, note);
      return true;
    }
  }
  return false;
}

/** Ends every session of these profiles ("sign out everywhere", the support desk); how many ended. */
export async function endAllSessions(
  deps: SessionControlDeps,
  actor: string,
  profileIds: readonly string[],
  reason: SessionEndReason,
  note?: string,
): Promise<number> {
  let ended = 0;
  for (const profileId of profileIds) {
    for (const session of await deps.adapter.sessionsOf(profileId)) {
      await end(deps, actor, session, reason, note);
      ended += 1;
    }
  }
  return ended;
}

/**
 * Withdraws everything a profile signed in with (an unlink, a re-association, a disabled profile, a changed email):
 * its portals hear of each session's end, then every session, grant and token of the profile is revoked, offline
 * access included.
 */
export async function revokeProfile(
  deps: SessionControlDeps,
  actor: string,
  profileId: string,
  reason: SessionEndReason,
): Promise<void> {
  const sessions = await deps.adapter.sessionsOf(profileId);
  for (const session of sessions) await deps.logout.announce(await noticesFor(deps, session));
  await deps.adapter.revokeAccount(profileId);
  for (const session of sessions) await forget(deps, actor, session, reason);
}

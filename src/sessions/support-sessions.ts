import type { AdminActor } from '../clients/admin-scopes.ts';
import type { DirectoryStore } from '../directory/directory-store.ts';
import { AppError } from '../shared/errors.ts';
import { referenceCode } from '../shared/ids.ts';
import {
  endAllSessions,
  endSession,
  listSessions,
  type BrokerSession,
  type SessionControlDeps,
} from './broker-sessions.ts';

export interface SupportSessionsDeps {
  sessions: SessionControlDeps;
  directory: Pick<DirectoryStore, 'getProfile'>;
}

async function existing(deps: SupportSessionsDeps, profileId: string) {
  if (!(await deps.directory.getProfile(profileId)))
    throw new AppError(404, 'profile_not_found', `profile ${profileId} not found`, { details: { id: profileId } });
}

/**
 * The support desk looks at a profile's broker sessions ("I used a shared computer and can't remember"). Looking is
 * audited too: where someone is signed in says where they are.
 */
export async function listProfileSessions(
  deps: SupportSessionsDeps,
  who: AdminActor,
  profileId: string,
): Promise<BrokerSession[]> {
  await existing(deps, profileId);
  const sessions = await listSessions(deps.sessions, [profileId]);
  await deps.sessions.audit.record({
    id: referenceCode(),
    at: deps.sessions.clock.now(),
    action: 'session.listed',
    outcome: 'success',
    actor: who.actor,
    ...(who.ip ? { ip: who.ip } : {}),
    profileId,
    details: { sessions: sessions.length },
  });
  return sessions;
}

/**
 * The support desk signs a profile out: one session, or every one. Each ends as a sign-out does, its portals are
 * told, and the audit log records the operator and their reason.
 */
export async function endProfileSessions(
  deps: SupportSessionsDeps,
  who: AdminActor,
  profileId: string,
  reason: string,
  sessionId?: string,
): Promise<number> {
  await existing(deps, profileId);
  if (sessionId === undefined) return endAllSessions(deps.sessions, who.actor, [profileId], 'support', reason);
  if (!(await endSession(deps.sessions, who.actor, [profileId], sessionId, 'support', reason)))
    throw new AppError(404, 'session_not_found', `no session ${sessionId} of profile ${profileId}`);
  return 1;
}

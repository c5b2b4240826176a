import type { AssociationStore } from '../directory/association-store.ts';
import {
  endAllSessions,
  endSession,
  listSessions,
  type BrokerSession,
  type SessionControlDeps,
} from '../sessions/broker-sessions.ts';
import { AppError } from '../shared/errors.ts';
import { profileActor, type AccountHolder } from './account-holder.ts';

export interface MySessionsDeps {
  sessions: SessionControlDeps;
  associations: Pick<AssociationStore, 'findByIdentity'>;
}

/** Every profile associated with the holder's upstream account: the person's sessions are those of all of them. */
async function profilesOfAccount(deps: MySessionsDeps, holder: AccountHolder): Promise<string[]> {
  const { upstreamId, subject } = holder.association;
  return (await deps.associations.findByIdentity({ upstreamId, subject })).map((a) => a.profileId);
}

/** "Where you're signed in": the broker sessions of the person's account, newest first. */
export async function listMySessions(
  deps: MySessionsDeps,
  holder: AccountHolder,
  currentSid?: string,
): Promise<BrokerSession[]> {
  return listSessions(deps.sessions, await profilesOfAccount(deps, holder), currentSid);
}

/** "Sign out this session": one of the person's sessions ends, and its portals are told. */
export async function endMySession(deps: MySessionsDeps, holder: AccountHolder, sessionId: string, ip?: string) {
  const ended = await endSession(
    deps.sessions,
    profileActor(holder.profile.id, ip).actor,
    await profilesOfAccount(deps, holder),
    sessionId,
    'ended_by_person',
  );
  // Someone else's session, or one that ended already, is "not found" alike: ids reveal nothing.
  if (!ended) throw new AppError(404, 'session_not_found', `no session ${sessionId} of this account`);
}

/** "Sign out everywhere": every session of the person's account ends, and their portals are told; how many. */
export async function endAllMySessions(deps: MySessionsDeps, holder: AccountHolder, ip?: string): Promise<number> {
  return endAllSessions(
    deps.sessions,
    profileActor(holder.profile.id, ip).actor,
    await profilesOfAccount(deps, holder),
    'signed_out_everywhere',
  );
}

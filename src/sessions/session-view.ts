import type { BrokerSession } from './broker-sessions.ts';

/** A broker session as the account API, the support API and the command line show it (snake_case JSON). */
export const sessionJson = (s: BrokerSession) => ({
  id: s.id,
  profile_id: s.profileId,
  started_at: s.startedAt.toISOString(),
  last_used_at: s.lastUsedAt?.toISOString() ?? null,
  browser: s.browser ?? null,
  upstream: s.upstreamId ?? null,
  portals: s.portals.map((p) => ({ client_id: p.clientId, name: p.name })),
});

import type { RedisClient } from './connection-options.ts';
import type { EmailChange } from '../../account/email-change.ts';
import type { EmailChangeStore } from '../../account/email-change-store.ts';

/** How long a change's record outlives its expiry, so that its link can still say "used" or "expired". */
const KEEP_AFTER_EXPIRY_MS = 7 * 24 * 3600 * 1000;

/**
 * Supersede the profile's pending change and store a new one, in one step. Only the change the profile's `pending`
 * key names can be pending (each issue supersedes it), so that key is all there is to look at. KEYS[1] the profile's
 * `pending` key, KEYS[2] new change data, KEYS[3] new change status; ARGV[1] data, ARGV[2] TTL ms, ARGV[3] the
 * profile's key prefix, ARGV[4] new token hash.
 */
const ISSUE = `
local previous = redis.call('GET', KEYS[1])
if previous then
  local status = ARGV[3] .. previous .. ':status'
  if redis.call('GET', status) == 'pending' then redis.call('SET', status, 'superseded', 'KEEPTTL') end
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[3], 'pending', 'PX', ARGV[2])
redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[2])
return 1`;

/** pending and unexpired → confirmed, for one caller only. KEYS[1] status; ARGV[1] now, ARGV[2] expiresAt. */
const CONSUME = `
if redis.call('GET', KEYS[1]) == 'pending' and tonumber(ARGV[1]) < tonumber(ARGV[2]) then
  redis.call('SET', KEYS[1], 'confirmed', 'KEEPTTL')
  return 1
end
return 0`;

/** The profile's pending change → revoked. KEYS[1] the profile's `pending` key; ARGV[1] the profile's key prefix. */
const REVOKE = `
local hash = redis.call('GET', KEYS[1])
if hash then
  local status = ARGV[1] .. hash .. ':status'
  if redis.call('GET', status) == 'pending' then redis.call('SET', status, 'revoked', 'KEEPTTL') end
end
return 1`;

/**
 * Changes of registered email in Redis, each key with a TTL a week past the change's expiry. The keys of a profile's
 * changes carry the profile id as hash tag, so the scripts stay in one slot on Redis Cluster; `byhash` maps a token
 * hash to its profile for lookups.
 */
export function createRedisEmailChangeStore(redis: RedisClient, prefix = 'email-changes'): EmailChangeStore {
  const profilePrefix = (profileId: string) => `${prefix}:{${profileId}}:`;
  const byHash = (tokenHash: string) => `${prefix}:byhash:${tokenHash}`;

  const read = async (tokenHash: string): Promise<EmailChange | undefined> => {
    const profileId = await redis.get(byHash(tokenHash));
    if (!profileId) return undefined;
    const p = profilePrefix(profileId);
    const [data, status] = await redis.mget(`${p}${tokenHash}`, `${p}${tokenHash}:status`);
    if (!data || !status) return undefined;
    const stored = JSON.parse(data) as Omit<EmailChange, 'createdAt' | 'expiresAt' | 'status'> & {
      createdAt: string;
      expiresAt: string;
    };
    return {
      ...stored,
      createdAt: new Date(stored.createdAt),
      expiresAt: new Date(stored.expiresAt),
      status: status as EmailChange['status'],
    };
  };

  return {
    async issue(change) {
      const ttl = Math.max(1, change.expiresAt.getTime() - Date.now() + KEEP_AFTER_EXPIRY_MS);
      const { status: _status, ...data } = change;
      const p = profilePrefix(change.profileId);
      await redis.set(byHash(change.tokenHash), change.profileId, 'PX', ttl);
      await redis.eval(
        ISSUE,
        3,
        `${p}pending`,
        `${p}${change.tokenHash}`,
        `${p}${change.tokenHash}:status`,
        JSON.stringify(data),
        String(ttl),
        p,
        change.tokenHash,
      );
    },
    findByTokenHash: read,
    async consume(tokenHash, at) {
      const change = await read(tokenHash);
      if (!change) return undefined;
      const consumed = await redis.eval(
        CONSUME,
        1,
        `${profilePrefix(change.profileId)}${tokenHash}:status`,
        String(at.getTime()),
        String(change.expiresAt.getTime()),
      );
      return consumed === 1 ? { ...change, status: 'confirmed' } : undefined;
    },
    async revokeForProfile(profileId) {
      await redis.eval(REVOKE, 1, `${profilePrefix(profileId)}pending`, profilePrefix(profileId));
    },
  };
}

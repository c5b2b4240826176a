import type { RedisClient } from './connection-options.ts';
import { requesterKey, type AssociationLink } from '../../association/link.ts';
import type { LinkDelivery, LinkStore } from '../../association/link-store.ts';

/** How long a link's record outlives its expiry, so that its page can still say "used" or "expired". */
const KEEP_AFTER_EXPIRY_MS = 7 * 24 * 3600 * 1000;

/**
 * Supersede the profile's active links of the same requester and store a new one, in one step. KEYS[1] the
 * profile's index set, KEYS[2] new link data, KEYS[3] new link status. ARGV[1] data, ARGV[2] TTL ms, ARGV[3] key
 * prefix, ARGV[4] new token hash, ARGV[5] requester key (link.ts requesterKey).
 */
const ISSUE = `
local function requester(data)
  local link = cjson.decode(data)
  local r = link.requester
  if type(r) == 'table' then return r.upstreamId .. '|' .. r.subject end
  if link.kind == 'held_back' then return 'held-back' end
  return ''
end
for _, hash in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local status = ARGV[3] .. hash .. ':status'
  if redis.call('GET', status) == 'active' then
    local data = redis.call('GET', ARGV[3] .. hash)
    if data and requester(data) == ARGV[5] then redis.call('SET', status, 'superseded', 'KEEPTTL') end
  end
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[3], 'active', 'PX', ARGV[2])
redis.call('SADD', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/**
 * active and unexpired → redeeming, held by the claimant; redeeming stays for the same claimant (a retry converges).
 * KEYS[1] status, KEYS[2] claimant; ARGV[1] now, ARGV[2] expiresAt, ARGV[3] claimant.
 */
const CLAIM = `
local status = redis.call('GET', KEYS[1])
if status == 'active' and tonumber(ARGV[1]) < tonumber(ARGV[2]) then
  redis.call('SET', KEYS[1], 'redeeming', 'KEEPTTL')
  redis.call('SET', KEYS[2], ARGV[3], 'PX', math.max(1, redis.call('PTTL', KEYS[1])))
  return 1
end
if status == 'redeeming' and redis.call('GET', KEYS[2]) == ARGV[3] then return 1 end
return 0`;

/** redeeming → used, for one caller only. KEYS[1] status. */
const COMPLETE = `
if redis.call('GET', KEYS[1]) == 'redeeming' then
  redis.call('SET', KEYS[1], 'used', 'KEEPTTL')
  return 1
end
return 0`;

/** Revoke the profile's active links but one. KEYS[1] index set; ARGV[1] status-key prefix, ARGV[2] hash to keep. */
const REVOKE = `
for _, hash in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local status = ARGV[1] .. hash .. ':status'
  local current = redis.call('GET', status)
  if hash ~= ARGV[2] and (current == 'active' or current == 'redeeming') then redis.call('SET', status, 'revoked', 'KEEPTTL') end
end
return 1`;

/**
 * Association links in Redis. Every key of a profile's links carries the profile id as hash tag, so the scripts
 * stay in one slot on Redis Cluster; `byhash` maps a token hash to its profile for lookups.
 */
export function createRedisLinkStore(redis: RedisClient, prefix = 'links'): LinkStore {
  const profilePrefix = (profileId: string) => `${prefix}:{${profileId}}:`;
  const byHash = (tokenHash: string) => `${prefix}:byhash:${tokenHash}`;
  const profileOf = (tokenHash: string) => redis.get(byHash(tokenHash));

  const read = async (profileId: string, tokenHash: string): Promise<AssociationLink | undefined> => {
    const [data, status] = await redis.mget(
      `${profilePrefix(profileId)}${tokenHash}`,
      `${profilePrefix(profileId)}${tokenHash}:status`,
    );
    if (!data || !status) return undefined;
    const stored = JSON.parse(data) as Omit<AssociationLink, 'createdAt' | 'expiresAt' | 'usedAt' | 'status'> & {
      createdAt: string;
      expiresAt: string;
    };
    return {
      ...stored,
      createdAt: new Date(stored.createdAt),
      expiresAt: new Date(stored.expiresAt),
      status: status as AssociationLink['status'],
    };
  };

  return {
    async issue(link) {
      const ttl = Math.max(1, link.expiresAt.getTime() - Date.now() + KEEP_AFTER_EXPIRY_MS);
      const { status: _status, usedAt: _usedAt, ...data } = link;
      const p = profilePrefix(link.profileId);
      await redis.set(byHash(link.tokenHash), link.profileId, 'PX', ttl);
      await redis.eval(
        ISSUE,
        3,
        `${p}index`,
        `${p}${link.tokenHash}`,
        `${p}${link.tokenHash}:status`,
        JSON.stringify(data),
        String(ttl),
        p,
        link.tokenHash,
        requesterKey(link),
      );
      await redis.set(`${p}delivery:${link.id}`, 'queued', 'PX', ttl);
    },
    async findByTokenHash(tokenHash) {
      const profileId = await profileOf(tokenHash);
      return profileId ? read(profileId, tokenHash) : undefined;
    },
    async claim(tokenHash, at, claimant) {
      const profileId = await profileOf(tokenHash);
      const link = profileId && (await read(profileId, tokenHash));
      if (!link) return undefined;
      const p = profilePrefix(link.profileId);
      const claimed = await redis.eval(
        CLAIM,
        2,
        `${p}${tokenHash}:status`,
        `${p}${tokenHash}:claimant`,
        String(at.getTime()),
        String(link.expiresAt.getTime()),
        claimant,
      );
      return claimed === 1 ? { ...link, status: 'redeeming' } : undefined;
    },
    async complete(tokenHash) {
      const profileId = await profileOf(tokenHash);
      if (!profileId) return false;
      return (await redis.eval(COMPLETE, 1, `${profilePrefix(profileId)}${tokenHash}:status`)) === 1;
    },
    async listForProfile(profileId) {
      const hashes = await redis.smembers(`${profilePrefix(profileId)}index`);
      const links = (await Promise.all(hashes.map((hash) => read(profileId, hash)))).filter((l): l is AssociationLink =>
        Boolean(l),
      );
      if (!links.length) return [];
      const deliveries = await redis.mget(links.map((l) => `${profilePrefix(profileId)}delivery:${l.id}`));
      return links
        .map((l, i) => ({ ...l, delivery: (deliveries[i] ?? 'queued') as LinkDelivery }))
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    },
    async recordDelivery(profileId, linkId, delivery) {
      // XX: only a link still on record; KEEPTTL: it goes when the link does.
      await redis.set(`${profilePrefix(profileId)}delivery:${linkId}`, delivery, 'KEEPTTL', 'XX');
    },
    async revokeForProfile(profileId, exceptTokenHash) {
      await redis.eval(REVOKE, 1, `${profilePrefix(profileId)}index`, profilePrefix(profileId), exceptTokenHash ?? '');
    },
  };
}

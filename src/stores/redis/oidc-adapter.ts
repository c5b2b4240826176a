import type { RedisClient } from './connection-options.ts';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import { byLoginTime, GRANTABLE_MODELS, type BrokerAdapter } from '../oidc-models.ts';

/**
 * Marks a payload consumed in one step and says whether it already was: oidc-provider checks `consumed` and then
 * calls consume(), so without this twenty parallel redemptions of one code could all pass its check.
 * KEYS[1] payload, KEYS[2] consumed marker; ARGV[1] epoch seconds. Returns 0 missing, 1 consumed now, 2 already.
 */
const CONSUME = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('SET', KEYS[2], ARGV[1], 'NX') == false then return 2 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1`;

/**
 * oidc-provider's storage in Redis: one JSON string per payload with its TTL, plus index sets for grants (to
 * revoke their tokens), accounts (to sign a profile out everywhere), uids and user codes.
 *
 * Redis Cluster: a payload and its consumed marker share a hash tag, so the consume script and the read of both stay
 * in one slot. An index lives in the slot of its own key, so it is written on its own and before the payload: a
 * failure between the two leaves an index member without a payload (skipped when read), never a token its grant
 * cannot find. Reads and deletes across slots are single-key commands run together, which ioredis pipelines per node.
 */
export function createRedisOidcAdapter(redis: RedisClient, prefix = 'oidc'): BrokerAdapter {
  const key = (model: string, id: string) => `${prefix}:{${model}:${id}}`;
  const consumedKey = (model: string, id: string) => `${key(model, id)}:consumed`;
  const grantKey = (grantId: string) => `${prefix}:grant:${grantId}`;
  const accountKey = (accountId: string) => `${prefix}:account:${accountId}`;
  const uidKey = (model: string, uid: string) => `${prefix}:uid:${model}:${uid}`;
  const userCodeKey = (model: string, code: string) => `${prefix}:userCode:${model}:${code}`;

  /**
   * Adds `member` to an index that lives as long as its longest-lived member (Redis 7: PEXPIRE NX/GT), in one MULTI
   * on the index's own key.
   */
  const index = async (setKey: string, member: string, ttlMs: number | undefined) => {
    const multi = redis.multi().sadd(setKey, member);
    if (ttlMs) multi.pexpire(setKey, ttlMs, 'NX').pexpire(setKey, ttlMs, 'GT');
    else multi.persist(setKey);
    const results = await multi.exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('Redis transaction aborted');
  };
  const pointer = async (pointerKey: string, id: string, ttlMs: number | undefined) => {
    if (ttlMs) await redis.set(pointerKey, id, 'PX', ttlMs);
    else await redis.set(pointerKey, id);
  };

  const load = async (model: string, id: string): Promise<AdapterPayload | undefined> => {
    const [payload, consumed] = await redis.mget(key(model, id), consumedKey(model, id));
    if (!payload) return undefined;
    const parsed = JSON.parse(payload) as AdapterPayload;
    if (consumed) parsed.consumed = Number(consumed);
    return parsed;
  };

  // A member and its consumed marker share a slot: one DEL each, all sent together.
  const deleteMembers = async (members: string[]) => {
    await Promise.all(members.map((member) => redis.del(member, `${member}:consumed`)));
  };

  const revokeGrant = async (grantId: string) => {
    await deleteMembers(await redis.smembers(grantKey(grantId)));
    await redis.del(grantKey(grantId));
  };

  const factory = (model: string): Adapter => ({
    // The indexes first (each in its own slot, together), then the payload: two round trips.
    async upsert(id, payload, expiresIn) {
      const ttlMs = expiresIn ? expiresIn * 1000 : undefined;
      const k = key(model, id);
      const indexes: Promise<void>[] = [];
      if (GRANTABLE_MODELS.has(model) && payload.grantId) indexes.push(index(grantKey(payload.grantId), k, ttlMs));
      if ((model === 'Session' || model === 'Grant') && payload.accountId)
        indexes.push(index(accountKey(payload.accountId), k, ttlMs));
      if (payload.uid) indexes.push(pointer(uidKey(model, payload.uid), id, ttlMs));
      if (payload.userCode) indexes.push(pointer(userCodeKey(model, payload.userCode), id, ttlMs));
      await Promise.all(indexes);
      if (ttlMs) await redis.set(k, JSON.stringify(payload), 'PX', ttlMs);
      else await redis.set(k, JSON.stringify(payload));
    },
    find: (id) => load(model, id),
    async findByUid(uid) {
      const id = await redis.get(uidKey(model, uid));
      return id ? load(model, id) : undefined;
    },
    async findByUserCode(userCode) {
      const id = await redis.get(userCodeKey(model, userCode));
      return id ? load(model, id) : undefined;
    },
    async consume(id) {
      const result = await redis.eval(
        CONSUME,
        2,
        key(model, id),
        consumedKey(model, id),
        String(Math.floor(Date.now() / 1000)),
      );
      if (result === 2) throw new errors.InvalidGrant(`${model} already consumed`);
    },
    async destroy(id) {
      await redis.del(key(model, id), consumedKey(model, id));
    },
    revokeByGrantId: (grantId) => revokeGrant(grantId),
  });

  return Object.assign(factory, {
    // The account's index also holds sessions that expired or changed account since: each is checked as it is read.
    async sessionsOf(accountId: string) {
      const sessionPrefix = `${prefix}:{Session:`;
      const members = (await redis.smembers(accountKey(accountId))).filter((m) => m.startsWith(sessionPrefix));
      if (!members.length) return [];
      const payloads = await Promise.all(members.map((member) => redis.get(member)));
      return payloads
        .flatMap((p) => (p ? [JSON.parse(p) as AdapterPayload] : []))
        .filter((p) => p.accountId === accountId)
        .sort(byLoginTime);
    },
    async revokeAccount(accountId: string) {
      const members = await redis.smembers(accountKey(accountId));
      const grantPrefix = `${prefix}:{Grant:`;
      for (const member of members) {
        if (member.startsWith(grantPrefix)) await revokeGrant(member.slice(grantPrefix.length, -1));
      }
      await deleteMembers(members);
      await redis.del(accountKey(accountId));
    },
  });
}

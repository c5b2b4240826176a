import type { Redis } from 'ioredis';
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
 * revoke their tokens), accounts (to sign a profile out everywhere), uids and user codes. Keys of one payload
 * share a hash tag, so the consume script stays within one slot on Redis Cluster.
 */
export function createRedisOidcAdapter(redis: Redis, prefix = 'oidc'): BrokerAdapter {
  const key = (model: string, id: string) => `${prefix}:{${model}:${id}}`;
  const consumedKey = (model: string, id: string) => `${key(model, id)}:consumed`;
  const grantKey = (grantId: string) => `${prefix}:grant:${grantId}`;
  const accountKey = (accountId: string) => `${prefix}:account:${accountId}`;
  const uidKey = (model: string, uid: string) => `${prefix}:uid:${model}:${uid}`;
  const userCodeKey = (model: string, code: string) => `${prefix}:userCode:${model}:${code}`;

  type Multi = ReturnType<Redis['multi']>;
  /** Adds `member` to an index that lives as long as its longest-lived member (Redis 7: PEXPIRE NX/GT). */
  const index = (multi: Multi, setKey: string, member: string, ttlMs: number | undefined) => {
    multi.sadd(setKey, member);
    if (ttlMs) multi.pexpire(setKey, ttlMs, 'NX').pexpire(setKey, ttlMs, 'GT');
    else multi.persist(setKey);
  };
  const pointer = (multi: Multi, pointerKey: string, id: string, ttlMs: number | undefined) => {
    if (ttlMs) multi.set(pointerKey, id, 'PX', ttlMs);
    else multi.set(pointerKey, id);
  };

  const load = async (model: string, id: string): Promise<AdapterPayload | undefined> => {
    const [payload, consumed] = await redis.mget(key(model, id), consumedKey(model, id));
    if (!payload) return undefined;
    const parsed = JSON.parse(payload) as AdapterPayload;
    if (consumed) parsed.consumed = Number(consumed);
    return parsed;
  };

  const deleteMembers = async (members: string[]) => {
    if (!members.length) return;
    const pipeline = redis.pipeline();
    for (const member of members) pipeline.del(member).del(`${member}:consumed`);
    await pipeline.exec();
  };

  const revokeGrant = async (grantId: string) => {
    await deleteMembers(await redis.smembers(grantKey(grantId)));
    await redis.del(grantKey(grantId));
  };

  const factory = (model: string): Adapter => ({
    // One round trip: the payload and every index it belongs to, in one MULTI.
    async upsert(id, payload, expiresIn) {
      const ttlMs = expiresIn ? expiresIn * 1000 : undefined;
      const k = key(model, id);
      const multi = redis.multi();
      if (ttlMs) multi.set(k, JSON.stringify(payload), 'PX', ttlMs);
      else multi.set(k, JSON.stringify(payload));
      if (GRANTABLE_MODELS.has(model) && payload.grantId) index(multi, grantKey(payload.grantId), k, ttlMs);
      if ((model === 'Session' || model === 'Grant') && payload.accountId)
        index(multi, accountKey(payload.accountId), k, ttlMs);
      if (payload.uid) pointer(multi, uidKey(model, payload.uid), id, ttlMs);
      if (payload.userCode) pointer(multi, userCodeKey(model, payload.userCode), id, ttlMs);
      const results = await multi.exec();
      const failed = results?.find(([err]) => err);
      if (!results || failed) throw failed?.[0] ?? new Error('Redis transaction aborted');
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
      const payloads = await redis.mget(members);
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

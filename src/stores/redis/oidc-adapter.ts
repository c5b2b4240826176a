import type { RedisClient } from './connection-options.ts';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import { byLoginTime, GRANTABLE_MODELS, type BrokerAdapter } from '../oidc-models.ts';

/**
 * Marks a payload consumed in one step and says whether it already was: oidc-provider checks `consumed` and then
 * calls consume(), so without this twenty parallel redemptions of one code could all pass its check.
 * KEYS[1] payload, KEYS[2] consumed marker; ARGV[1] epoch seconds. Returns 0 missing, 1 consumed now, 2 already.
 * PTTL both tells a missing payload (-2) and gives the marker its TTL, so the marker is written once, with its TTL
 * (the same marker and TTL as EXISTS, SET NX, PTTL, PEXPIRE wrote: the previous release reads it the same).
 */
const CONSUME = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -2 then return 0 end
local marked
if ttl > 0 then marked = redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ttl)
else marked = redis.call('SET', KEYS[2], ARGV[1], 'NX') end
if marked then return 1 end
return 2`;

/**
 * Adds a member to an index that lives as long as its longest-lived member, as one command instead of a MULTI of
 * four (SADD, PEXPIRE NX, PEXPIRE GT, EXEC) or three (SADD, PERSIST, EXEC). TTL in ms, 0 for none. PTTL is -1 on a
 * set without a TTL, below any TTL: the TTL is set as PEXPIRE NX would, and raised as PEXPIRE GT would, so the index
 * ends exactly as the previous release leaves it.
 */
const INDEX_FUNCTION = `
local function index(set, member, ttl)
  redis.call('SADD', set, member)
  if ttl == 0 then redis.call('PERSIST', set)
  elseif redis.call('PTTL', set) < ttl then redis.call('PEXPIRE', set, ttl) end
end`;

/** One index update in the index's own slot (Redis Cluster). KEYS[1] the index set; ARGV[1] member, ARGV[2] TTL ms. */
const INDEX = `${INDEX_FUNCTION}
index(KEYS[1], ARGV[1], tonumber(ARGV[2]))
return 1`;

/**
 * A whole upsert on one Redis server (not a Cluster, where the keys are in different slots): the indexes, the
 * pointers and then the payload, in that order as before, in one round trip instead of two, and no reader sees it half
 * done.
 * KEYS: the index sets (ARGV[2] of them), then the strings to set: the pointers (uid, user code) and last the payload,
 * whose key is what the indexes hold. ARGV[1] TTL ms, 0 for none; ARGV[2] the number of index sets; ARGV[3…] the
 * value of each string, in the order of their keys.
 */
const UPSERT = `${INDEX_FUNCTION}
local ttl = tonumber(ARGV[1])
local sets = tonumber(ARGV[2])
for i = 1, sets do index(KEYS[i], KEYS[#KEYS], ttl) end
for i = sets + 1, #KEYS do
  if ttl == 0 then redis.call('SET', KEYS[i], ARGV[i - sets + 2])
  else redis.call('SET', KEYS[i], ARGV[i - sets + 2], 'PX', ttl) end
end
return 1`;

/**
 * A token with its grant, in one round trip instead of two: oidc-provider reads a token (refresh, code, access) and
 * then, knowing its grant only from it, the grant. KEYS[1] the token, KEYS[2] its consumed marker; ARGV[1] what the
 * grant's key starts with (`<prefix>:{Grant:`). Returns the token and its marker, then the grant and its marker (nil
 * where missing; the last two only when the token names a grant).
 * The grant's key is not among KEYS: it is known only once the token is read. One Redis server (or a Sentinels'
 * master) serves that; a Redis Cluster would not (another slot), so there the two reads stay apart.
 */
const FIND_WITH_GRANT = `
local found = redis.call('MGET', KEYS[1], KEYS[2])
if not found[1] then return {} end
local ok, payload = pcall(cjson.decode, found[1])
if not ok or type(payload) ~= 'table' or type(payload.grantId) ~= 'string' then return {found[1], found[2]} end
local grant = ARGV[1] .. payload.grantId .. '}'
local read = redis.call('MGET', grant, grant .. ':consumed')
return {found[1], found[2], read[1], read[2]}`;

/**
 * Tokens whose save may be left to land before the answer (deferred-token-writes.ts) rather than where it is made:
 * nothing the token endpoint does after saving one reads it back.
 */
const DEFERRABLE_MODELS = new Set(['AccessToken', 'RefreshToken']);

/** SET and the upsert script on a client (answers as promises) or a pipeline (queued; answers from exec). */
interface UpsertCommands {
  set(key: string, value: string): unknown;
  set(key: string, value: string, px: 'PX', ttlMs: number): unknown;
  oidcAdapterUpsert(keyCount: number, ...keysThenArgs: string[]): unknown;
}

/** The scripts above as commands of the client (ioredis defineCommand): EVALSHA, and EVAL once per connection. */
interface ScriptCommands {
  oidcAdapterConsume(payloadKey: string, consumedKey: string, epochSeconds: string): Promise<number>;
  oidcAdapterFindWithGrant(payloadKey: string, consumedKey: string, grantKeyStart: string): Promise<(string | null)[]>;
  oidcAdapterIndex(setKey: string, member: string, ttlMs: string): Promise<number>;
  /** No fixed number of keys: the first argument is how many. */
  oidcAdapterUpsert(keyCount: number, ...keysThenArgs: string[]): Promise<number>;
}

/** Defines the scripts on a client once (the demo makes several adapters on one client). */
function withScripts(redis: RedisClient): RedisClient & ScriptCommands {
  const scripted = redis as RedisClient & Partial<ScriptCommands>;
  if (!scripted.oidcAdapterConsume) redis.defineCommand('oidcAdapterConsume', { numberOfKeys: 2, lua: CONSUME });
  if (!scripted.oidcAdapterFindWithGrant)
    redis.defineCommand('oidcAdapterFindWithGrant', { numberOfKeys: 2, lua: FIND_WITH_GRANT });
  if (!scripted.oidcAdapterIndex) redis.defineCommand('oidcAdapterIndex', { numberOfKeys: 1, lua: INDEX });
  if (!scripted.oidcAdapterUpsert) redis.defineCommand('oidcAdapterUpsert', { lua: UPSERT });
  return redis as RedisClient & ScriptCommands;
}

/**
 * oidc-provider's storage in Redis: one JSON string per payload with its TTL, plus index sets for grants (to
 * revoke their tokens), accounts (to sign a profile out everywhere), uids and user codes.
 *
 * On one server (or Sentinels' master), an upsert is one script. On a Redis Cluster, a payload and its consumed marker
 * share a hash tag, so the consume script and the read of both stay in one slot. An index lives in the slot of its own
 * key, so it is written on its own and before the payload: a failure between the two leaves an index member without
 * a payload (skipped when read), never a token its grant cannot find. Reads and deletes across slots are single-key
 * commands run together, which ioredis pipelines per node.
 *
 * Within a request (`options.scope`), on one server, two round trips of a token request are saved
 * (docs/decisions/0032): a token is read with its grant (FIND_WITH_GRANT), kept for the grant lookup that follows;
 * and where the answer waits for them (the token endpoint, deferred-token-writes.ts), the token saves gather in one
 * pipeline sent when the answer is ready, instead of one round trip each on the way.
 */
export function createRedisOidcAdapter(
  client: RedisClient,
  prefix = 'oidc',
  options: {
    /** The request being handled (shared/request-context.ts): its memo, and where its deferred writes wait. */
    scope?: () => { memo?: Map<string, unknown>; pendingWrites?: (() => Promise<void>)[] | undefined } | undefined;
  } = {},
): BrokerAdapter {
  const redis = withScripts(client);
  const key = (model: string, id: string) => `${prefix}:{${model}:${id}}`;
  const consumedKey = (model: string, id: string) => `${key(model, id)}:consumed`;
  const grantKey = (grantId: string) => `${prefix}:grant:${grantId}`;
  const accountKey = (accountId: string) => `${prefix}:account:${accountId}`;
  const uidKey = (model: string, uid: string) => `${prefix}:uid:${model}:${uid}`;
  const userCodeKey = (model: string, code: string) => `${prefix}:userCode:${model}:${code}`;

  /** Adds `member` to an index on the index's own key (INDEX above). */
  const index = async (setKey: string, member: string, ttlMs: number | undefined) => {
    await redis.oidcAdapterIndex(setKey, member, String(ttlMs ?? 0));
  };
  const pointer = async (pointerKey: string, id: string, ttlMs: number | undefined) => {
    if (ttlMs) await redis.set(pointerKey, id, 'PX', ttlMs);
    else await redis.set(pointerKey, id);
  };

  const parse = (payload: string | null | undefined, consumed: string | null | undefined) => {
    if (!payload) return undefined;
    const parsed = JSON.parse(payload) as AdapterPayload;
    if (consumed) parsed.consumed = Number(consumed);
    return parsed;
  };

  // A grant read along with its token (FIND_WITH_GRANT) waits in the request's memo for the grant lookup that
  // follows, once: a later lookup reads Redis again, and so does any lookup after this node wrote or revoked it.
  const grantMemoKey = (grantId: string) => `oidc-adapter\u0000${prefix}\u0000${grantId}`;
  const forgetGrant = (grantId: string) => options.scope?.()?.memo?.delete(grantMemoKey(grantId));
  const prefetched = (grantId: string) => {
    const memo = options.scope?.()?.memo;
    const read = memo?.get(grantMemoKey(grantId)) as [string | null, string | null] | undefined;
    if (read) memo!.delete(grantMemoKey(grantId));
    return read;
  };

  const load = async (model: string, id: string): Promise<AdapterPayload | undefined> => {
    if (model === 'Grant') {
      const read = prefetched(id);
      if (read) return parse(...read);
    }
    // Within a request, on one server: the token and its grant in one round trip.
    const request = GRANTABLE_MODELS.has(model) && !redis.isCluster ? options.scope?.() : undefined;
    if (request) {
      const [payload, consumed, grant, grantConsumed] = await redis.oidcAdapterFindWithGrant(
        key(model, id),
        consumedKey(model, id),
        `${prefix}:{Grant:`,
      );
      const parsed = parse(payload, consumed);
      if (parsed && typeof parsed.grantId === 'string' && grant !== undefined)
        (request.memo ??= new Map()).set(grantMemoKey(parsed.grantId), [grant, grantConsumed ?? null]);
      return parsed;
    }
    const [payload, consumed] = await redis.mget(key(model, id), consumedKey(model, id));
    return parse(payload, consumed);
  };

  // A member and its consumed marker share a slot: one DEL each, all sent together.
  const deleteMembers = async (members: string[]) => {
    await Promise.all(members.map((member) => redis.del(member, `${member}:consumed`)));
  };

  const revokeGrant = async (grantId: string) => {
    forgetGrant(grantId);
    await deleteMembers(await redis.smembers(grantKey(grantId)));
    await redis.del(grantKey(grantId));
  };

  /** What an upsert writes: the payload's key and JSON, its TTL, the index sets it joins, the pointers to it. */
  const planUpsert = (model: string, id: string, payload: AdapterPayload, expiresIn: number | undefined) => {
    const ttlMs = expiresIn ? expiresIn * 1000 : undefined;
    const sets: string[] = [];
    if (GRANTABLE_MODELS.has(model) && payload.grantId) sets.push(grantKey(payload.grantId));
    if ((model === 'Session' || model === 'Grant') && payload.accountId) sets.push(accountKey(payload.accountId));
    const pointers: [string, string][] = [];
    if (payload.uid) pointers.push([uidKey(model, payload.uid), id]);
    if (payload.userCode) pointers.push([userCodeKey(model, payload.userCode), id]);
    return { k: key(model, id), json: JSON.stringify(payload), ttlMs, sets, pointers };
  };
  type Plan = ReturnType<typeof planUpsert>;

  /**
   * An upsert on one server, as one command on `target` (the client, or a pipeline): everything in one script, or a
   * payload alone as one SET, cheaper than a script.
   */
  const singleServerUpsert = (target: UpsertCommands, { k, json, ttlMs, sets, pointers }: Plan): unknown => {
    if (!sets.length && !pointers.length) return ttlMs ? target.set(k, json, 'PX', ttlMs) : target.set(k, json);
    const keys = [...sets, ...pointers.map(([pointerKey]) => pointerKey), k];
    const values = [...pointers.map(([, value]) => value), json];
    return target.oidcAdapterUpsert(keys.length, ...keys, String(ttlMs ?? 0), String(sets.length), ...values);
  };

  const write = async (plan: Plan) => {
    if (!redis.isCluster) {
      await singleServerUpsert(redis, plan);
      return;
    }
    // A Cluster: the indexes first (each in its own slot, together), then the payload: two round trips.
    const { k, json, ttlMs, sets, pointers } = plan;
    await Promise.all([
      ...sets.map((setKey) => index(setKey, k, ttlMs)),
      ...pointers.map(([pointerKey, value]) => pointer(pointerKey, value, ttlMs)),
    ]);
    if (ttlMs) await redis.set(k, json, 'PX', ttlMs);
    else await redis.set(k, json);
  };

  /**
   * A token upsert left for the request's answer to send (deferred-token-writes.ts): the request's deferred upserts
   * gather in one pipeline, sent as one write when the answer is ready. Nothing the token endpoint does after saving a
   * token reads it back, and nobody else knows its value before the answer.
   */
  const batchKey = `oidc-adapter-batch\u0000${prefix}`;
  const defer = (request: { memo?: Map<string, unknown> }, pendingWrites: (() => Promise<void>)[], plan: Plan) => {
    const memo = (request.memo ??= new Map());
    let batch = memo.get(batchKey) as ReturnType<RedisClient['pipeline']> | undefined;
    if (!batch) {
      const queued = redis.pipeline();
      memo.set(batchKey, queued);
      pendingWrites.push(async () => {
        memo.delete(batchKey);
        const failed = ((await queued.exec()) ?? []).find(([err]) => err);
        if (failed) throw failed[0];
      });
      batch = queued;
    }
    singleServerUpsert(batch as unknown as UpsertCommands, plan);
  };

  const factory = (model: string): Adapter => ({
    async upsert(id, payload, expiresIn) {
      if (model === 'Grant') forgetGrant(id);
      const plan = planUpsert(model, id, payload, expiresIn);
      // A refresh grant saves the new refresh token and then the access token, each awaited: where the answer waits
      // for them instead (on one server), both go to Redis in one round trip with the answer ready.
      const request = DEFERRABLE_MODELS.has(model) && !redis.isCluster ? options.scope?.() : undefined;
      if (request?.pendingWrites) defer(request, request.pendingWrites, plan);
      else await write(plan);
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
      const result = await redis.oidcAdapterConsume(
        key(model, id),
        consumedKey(model, id),
        String(Math.floor(Date.now() / 1000)),
      );
      if (result === 2) throw new errors.InvalidGrant(`${model} already consumed`);
    },
    async destroy(id) {
      if (model === 'Grant') forgetGrant(id);
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

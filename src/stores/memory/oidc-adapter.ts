import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Clock } from '../../shared/clock.ts';
import { copyData } from '../../shared/copy-data.ts';
import { byLoginTime, GRANTABLE_MODELS, type BrokerAdapter } from '../oidc-models.ts';

interface Entry {
  model: string;
  payload: AdapterPayload;
  expiresAt?: number;
}

/**
 * oidc-provider's storage in process memory. Every model shares one map per factory so that grant revocation
 * can reach tokens of every kind. Expiry is checked on read against the injected clock, like the Redis TTLs
 * that replace it in production; a sweep keeps long-running demos from growing without bound.
 */
export function createMemoryOidcAdapter(clock: Clock): BrokerAdapter & { sweep(): void } {
  const entries = new Map<string, Entry>();
  // Every lookup is by an index, as on Redis, so the cost of a request does not grow with what is stored: sessions
  // by uid (every request with a session cookie), device codes by user code, tokens by grant (revocation), sessions
  // and grants by account. An index entry goes with its entry (remove()); account members whose entry is gone or
  // moved to another account are dropped as they are met.
  const byUid = new Map<string, string>();
  const byUserCode = new Map<string, string>();
  const byGrant = new Map<string, Set<string>>();
  const byAccount = new Map<string, Set<string>>();
  const key = (model: string, id: string) => `${model}:${id}`;
  const accountEntries = (accountId: string) => {
    const keys = byAccount.get(accountId);
    const found: [string, Entry][] = [];
    for (const k of keys ?? []) {
      const entry = live(entries.get(k));
      if (entry?.payload.accountId === accountId) found.push([k, entry]);
      else keys!.delete(k);
    }
    if (keys && !keys.size) byAccount.delete(accountId);
    return found;
  };
  const live = (entry: Entry | undefined) =>
    entry && (entry.expiresAt === undefined || entry.expiresAt > clock.now().getTime()) ? entry : undefined;
  const grantOf = (entry: Entry) =>
    GRANTABLE_MODELS.has(entry.model) && typeof entry.payload.grantId === 'string' ? entry.payload.grantId : undefined;
  const remove = (k: string) => {
    const entry = entries.get(k);
    if (!entry) return;
    entries.delete(k);
    const { uid, userCode } = entry.payload;
    if (typeof uid === 'string' && byUid.get(key(entry.model, uid)) === k) byUid.delete(key(entry.model, uid));
    if (typeof userCode === 'string' && byUserCode.get(key(entry.model, userCode)) === k)
      byUserCode.delete(key(entry.model, userCode));
    const grantId = grantOf(entry);
    const members = grantId === undefined ? undefined : byGrant.get(grantId);
    members?.delete(k);
    if (grantId !== undefined && members && !members.size) byGrant.delete(grantId);
  };
  const findBy = (index: Map<string, string>, model: string, value: string) => {
    const entry = live(entries.get(index.get(key(model, value)) ?? ''));
    return entry && copyData(entry.payload);
  };

  const factory = (model: string): Adapter => ({
    async upsert(id, payload, expiresIn) {
      const k = key(model, id);
      remove(k);
      if ((model === 'Session' || model === 'Grant') && payload.accountId) {
        const keys = byAccount.get(payload.accountId) ?? new Set<string>();
        byAccount.set(payload.accountId, keys.add(k));
      }
      const entry: Entry = {
        model,
        payload: copyData(payload),
        expiresAt: expiresIn ? clock.now().getTime() + expiresIn * 1000 : undefined,
      };
      entries.set(k, entry);
      if (typeof payload.uid === 'string') byUid.set(key(model, payload.uid), k);
      if (typeof payload.userCode === 'string') byUserCode.set(key(model, payload.userCode), k);
      const grantId = grantOf(entry);
      if (grantId !== undefined) byGrant.set(grantId, (byGrant.get(grantId) ?? new Set<string>()).add(k));
    },
    async find(id) {
      const entry = live(entries.get(key(model, id)));
      return entry && copyData(entry.payload);
    },
    findByUid: async (uid) => findBy(byUid, model, uid),
    findByUserCode: async (userCode) => findBy(byUserCode, model, userCode),
    // Check-and-set in one step, like the Redis adapter: a second consume is refused (see redis/oidc-adapter.ts).
    async consume(id) {
      const entry = live(entries.get(key(model, id)));
      if (!entry) return;
      if (entry.payload.consumed) throw new errors.InvalidGrant(`${model} already consumed`);
      entry.payload.consumed = Math.floor(clock.now().getTime() / 1000);
    },
    async destroy(id) {
      remove(key(model, id));
    },
    async revokeByGrantId(grantId) {
      for (const k of [...(byGrant.get(grantId) ?? [])]) remove(k);
    },
  });

  return Object.assign(factory, {
    async sessionsOf(accountId: string) {
      return accountEntries(accountId)
        .filter(([, entry]) => entry.model === 'Session')
        .map(([, entry]) => copyData(entry.payload))
        .sort(byLoginTime);
    },
    async revokeAccount(accountId: string) {
      const grantIds: string[] = [];
      for (const [k, entry] of accountEntries(accountId)) {
        if (entry.model === 'Grant' && typeof entry.payload.jti === 'string') grantIds.push(entry.payload.jti);
        remove(k);
      }
      byAccount.delete(accountId);
      for (const grantId of grantIds) for (const k of [...(byGrant.get(grantId) ?? [])]) remove(k);
    },
    sweep() {
      for (const [k, entry] of entries) if (!live(entry)) remove(k);
      for (const accountId of [...byAccount.keys()]) accountEntries(accountId);
    },
  });
}

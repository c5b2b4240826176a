import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Clock } from '../../shared/clock.ts';
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
  // Sessions and grants by account, so a profile's sessions are found without reading every entry. Members whose
  // entry is gone or moved to another account are dropped as they are met.
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

  const factory = (model: string): Adapter => ({
    async upsert(id, payload, expiresIn) {
      if ((model === 'Session' || model === 'Grant') && payload.accountId) {
        const keys = byAccount.get(payload.accountId) ?? new Set<string>();
        byAccount.set(payload.accountId, keys.add(key(model, id)));
      }
      entries.set(key(model, id), {
        model,
        payload: structuredClone(payload),
        expiresAt: expiresIn ? clock.now().getTime() + expiresIn * 1000 : undefined,
      });
    },
    async find(id) {
      const entry = live(entries.get(key(model, id)));
      return entry && structuredClone(entry.payload);
    },
    async findByUid(uid) {
      for (const [k, entry] of entries) {
        if (k.startsWith(`${model}:`) && entry.payload.uid === uid && live(entry))
          return structuredClone(entry.payload);
      }
      return undefined;
    },
    async findByUserCode(userCode) {
      for (const [k, entry] of entries) {
        if (k.startsWith(`${model}:`) && entry.payload.userCode === userCode && live(entry))
          return structuredClone(entry.payload);
      }
      return undefined;
    },
    // Check-and-set in one step, like the Redis adapter: a second consume is refused (see redis/oidc-adapter.ts).
    async consume(id) {
      const entry = live(entries.get(key(model, id)));
      if (!entry) return;
      if (entry.payload.consumed) throw new errors.InvalidGrant(`${model} already consumed`);
      entry.payload.consumed = Math.floor(clock.now().getTime() / 1000);
    },
    async destroy(id) {
      entries.delete(key(model, id));
    },
    async revokeByGrantId(grantId) {
      for (const [k, entry] of entries) {
        if (GRANTABLE_MODELS.has(entry.model) && entry.payload.grantId === grantId) entries.delete(k);
      }
    },
  });

  return Object.assign(factory, {
    async sessionsOf(accountId: string) {
      return accountEntries(accountId)
        .filter(([, entry]) => entry.model === 'Session')
        .map(([, entry]) => structuredClone(entry.payload))
        .sort(byLoginTime);
    },
    async revokeAccount(accountId: string) {
      const grantIds = new Set<unknown>();
      for (const [k, entry] of accountEntries(accountId)) {
        if (entry.model === 'Grant') grantIds.add(entry.payload.jti);
        entries.delete(k);
      }
      byAccount.delete(accountId);
      if (!grantIds.size) return;
      for (const [k, entry] of entries) {
        if (GRANTABLE_MODELS.has(entry.model) && grantIds.has(entry.payload.grantId)) entries.delete(k);
      }
    },
    sweep() {
      for (const [k, entry] of entries) if (!live(entry)) entries.delete(k);
      for (const accountId of [...byAccount.keys()]) accountEntries(accountId);
    },
  });
}

import { errors, type Adapter, type AdapterFactory, type AdapterPayload } from 'oidc-provider';
import type { Clock } from '../../shared/clock.ts';
import { GRANTABLE_MODELS } from '../oidc-models.ts';

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
export function createMemoryOidcAdapter(
  clock: Clock,
): AdapterFactory & { sweep(): void; revokeAccount(accountId: string): Promise<void> } {
  const entries = new Map<string, Entry>();
  const key = (model: string, id: string) => `${model}:${id}`;
  const live = (entry: Entry | undefined) =>
    entry && (entry.expiresAt === undefined || entry.expiresAt > clock.now().getTime()) ? entry : undefined;

  const factory = (model: string): Adapter => ({
    async upsert(id, payload, expiresIn) {
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
    /** Ends every session signed in as the account and revokes its grants with their tokens. */
    async revokeAccount(accountId: string) {
      const grantIds: unknown[] = [];
      for (const [k, entry] of entries) {
        if ((entry.model === 'Session' || entry.model === 'Grant') && entry.payload.accountId === accountId) {
          if (entry.model === 'Grant') grantIds.push(entry.payload.jti);
          entries.delete(k);
        }
      }
      for (const [k, entry] of entries) {
        if (GRANTABLE_MODELS.has(entry.model) && grantIds.includes(entry.payload.grantId)) entries.delete(k);
      }
    },
    sweep() {
      for (const [k, entry] of entries) if (!live(entry)) entries.delete(k);
    },
  });
}

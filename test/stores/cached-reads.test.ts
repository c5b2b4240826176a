import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import {
  localGeneration,
  oncePerRequest,
  readTogether,
  withCachedReads,
  withLocalChanges,
  type Generation,
} from '../../src/stores/cached-reads.ts';
import { createRequestContext } from '../../src/shared/request-context.ts';
import { redisGeneration } from '../../src/stores/redis/generation.ts';
import { startRedis } from '../support/redis.ts';

/** A stand-in database: profiles by id, and how many queries reached it. */
function database() {
  const rows = new Map<string, { id: string; name: string }>([['p1', { id: 'p1', name: 'Ann' }]]);
  const queries: string[] = [];
  return {
    queries,
    store: {
      async getProfile(id: string) {
        queries.push(`get ${id}`);
        const row = rows.get(id);
        return row && { ...row };
      },
      async listProfiles() {
        queries.push('list');
        return [...rows.values()].map((row) => ({ ...row }));
      },
      async updateProfile(id: string, name: string) {
        queries.push(`update ${id}`);
        rows.set(id, { id, name });
      },
      async failingWrite(): Promise<void> {
        rows.set('p1', { id: 'p1', name: 'half-written' });
        throw new Error('write failed half way');
      },
    },
  };
}

let redis: Awaited<ReturnType<typeof startRedis>>;
let client: Redis;
beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
});
afterAll(async () => {
  client.disconnect();
  await redis.stop();
});

describe('cached reads', () => {
  it('answers a repeated read without a query, and the first read after a write with one', async () => {
    const db = database();
    const store = withCachedReads(db.store, ['getProfile'], localGeneration());
    expect(await store.getProfile('p1')).toEqual({ id: 'p1', name: 'Ann' });
    expect(await store.getProfile('p1')).toEqual({ id: 'p1', name: 'Ann' });
    expect(await store.getProfile('nobody')).toBeUndefined();
    expect(await store.getProfile('nobody')).toBeUndefined();
    expect(db.queries).toEqual(['get p1', 'get nobody']);
    await store.updateProfile('p1', 'Anne');
    expect(await store.getProfile('p1')).toEqual({ id: 'p1', name: 'Anne' });
    // Reads that are not cached pass through every time.
    await store.listProfiles();
    await store.listProfiles();
    expect(db.queries).toEqual(['get p1', 'get nobody', 'update p1', 'get p1', 'list', 'list']);
  });

  it('hands out copies: a caller changing what it got changes nothing cached', async () => {
    const store = withCachedReads(database().store, ['getProfile'], localGeneration());
    const first = (await store.getProfile('p1'))!;
    first.name = 'changed by a caller';
    expect(await store.getProfile('p1')).toEqual({ id: 'p1', name: 'Ann' });
  });

  it('forgets what it knew after a write that failed half way', async () => {
    const db = database();
    const store = withCachedReads(db.store, ['getProfile'], localGeneration());
    await store.getProfile('p1');
    await expect(store.failingWrite()).rejects.toThrow('half way');
    expect(await store.getProfile('p1')).toEqual({ id: 'p1', name: 'half-written' });
  });

  it('sees a write made through another node at its next read (the generation in Redis), and keeps nothing past a minute', async () => {
    const db = database();
    const key = `t${Date.now()}:generation:directory`;
    let now = 0;
    const nodeA = withCachedReads(db.store, ['getProfile'], redisGeneration(client, key), () => now);
    const nodeB = withCachedReads(db.store, ['getProfile'], redisGeneration(client, key), () => now);
    await nodeA.getProfile('p1');
    await nodeA.getProfile('p1');
    expect(db.queries).toEqual(['get p1']);
    await nodeB.updateProfile('p1', 'Anna');
    expect(await client.get(key)).toBe('1');
    expect(await nodeA.getProfile('p1')).toEqual({ id: 'p1', name: 'Anna' });
    expect(db.queries).toEqual(['get p1', 'update p1', 'get p1']);
    // A change made beside the broker (no generation raised) is seen once the answer is a minute old.
    await db.store.updateProfile('p1', 'by hand');
    expect(await nodeA.getProfile('p1')).toEqual({ id: 'p1', name: 'Anna' });
    now += 60_000;
    expect(await nodeA.getProfile('p1')).toEqual({ id: 'p1', name: 'by hand' });
  });

  it("lets no answer this node kept outlive this node's own write, even when raising the shared counter fails", async () => {
    const db = database();
    let raise = 'fails';
    const blinking: Generation = {
      current: async () => '7',
      bump: async () => {
        if (raise === 'fails') throw new Error('redis blinked');
      },
    };
    const generation = withLocalChanges(blinking);
    // As the broker wires them: writes go through one view of the store, cached reads through another.
    const writes = withCachedReads(db.store, [], generation);
    const reads = withCachedReads(db.store, ['getProfile'], generation);
    await reads.getProfile('p1');
    await reads.getProfile('p1');
    await writes.updateProfile('p1', 'Anne');
    expect(await reads.getProfile('p1')).toEqual({ id: 'p1', name: 'Anne' });
    raise = 'works';
    await writes.updateProfile('p1', 'Annie');
    expect(await reads.getProfile('p1')).toEqual({ id: 'p1', name: 'Annie' });
    expect(await reads.getProfile('p1')).toEqual({ id: 'p1', name: 'Annie' });
    expect(db.queries).toEqual(['get p1', 'update p1', 'get p1', 'update p1', 'get p1']);
  });

  it('reads the database directly when the generation cannot be read', async () => {
    const db = database();
    const away: Generation = {
      current: () => Promise.reject(new Error('redis away')),
      bump: () => Promise.reject(new Error('redis away')),
    };
    const store = withCachedReads(db.store, ['getProfile'], away);
    await store.getProfile('p1');
    await store.getProfile('p1');
    await store.updateProfile('p1', 'still written');
    expect(db.queries).toEqual(['get p1', 'get p1', 'update p1']);
  });

  it("reads the generation once per request, again after the request's own write, and on every call outside one", async () => {
    let reads = 0;
    const counted: Generation = {
      current: async () => String((reads += 1) && 0),
      bump: async () => undefined,
    };
    const requests = createRequestContext();
    const generation = oncePerRequest(counted, 'directory', () => requests.current());
    await requests.run({ requestId: 'r1' }, async () => {
      await generation.current();
      await generation.current();
      expect(reads).toBe(1);
      await generation.bump();
      await generation.current();
      expect(reads).toBe(2);
    });
    await requests.run({ requestId: 'r2' }, async () => void (await generation.current()));
    expect(reads).toBe(3);
    await generation.current();
    await generation.current();
    expect(reads).toBe(5);
  });

  it('reads generations kept together all at once, on the first read of any of them in a request', async () => {
    const reads: string[] = [];
    const counter = (name: string): Generation => ({
      current: async () => (reads.push(name), '0'),
      bump: async () => undefined,
    });
    const requests = createRequestContext();
    const { directory, clients } = readTogether(
      {
        directory: { generation: counter('directory'), key: 'directory' },
        clients: { generation: counter('clients'), key: 'clients' },
      },
      () => requests.current(),
    );
    await requests.run({ requestId: 'r1' }, async () => {
      await clients.current();
      expect(reads).toEqual(['directory', 'clients']);
      await directory.current();
      expect(reads).toHaveLength(2);
      await directory.bump();
      await directory.current();
      expect(reads).toEqual(['directory', 'clients', 'directory']);
    });
    await clients.current();
    expect(reads).toEqual(['directory', 'clients', 'directory', 'clients']);
  });
});

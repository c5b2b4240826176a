import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import type { Generation } from '../../src/stores/cached-reads.ts';
import { trackGenerations, type TrackedGenerations } from '../../src/stores/redis/generation.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { startRedis } from '../support/redis.ts';
import { waitUntil } from '../support/wait.ts';

/** How many GETs Redis has answered so far (every client's). */
async function getsAnswered(admin: Redis): Promise<number> {
  const line = (await admin.info('commandstats')).split('\r\n').find((l) => l.startsWith('cmdstat_get:'));
  return Number(/calls=(\d+)/.exec(line ?? '')?.[1] ?? 0);
}

describe('generation counters read from Redis notices', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let admin: Redis;
  let main: Redis;
  const open: TrackedGenerations[] = [];
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  const keys = () => {
    const prefix = `t${Date.now()}${Math.random().toString(36).slice(2, 6)}:generation:`;
    return [`${prefix}directory`, `${prefix}clients`];
  };
  const track = (url: string, client: Redis, names: string[]) => {
    const tracked = trackGenerations(url, client, names, logger);
    open.push(tracked);
    return tracked;
  };

  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
    main = new Redis(redis.url);
  });
  afterEach(() => {
    for (const tracked of open.splice(0)) tracked.close();
  });
  afterAll(async () => {
    admin.disconnect();
    main.disconnect();
    await redis.stop();
  });

  it('answers from memory once Redis sends notices, and sees each change any node makes with INCR', async () => {
    const [directoryKey, clientsKey] = keys() as [string, string];
    const tracked = track(redis.url, main, [directoryKey, clientsKey]);
    const [directory, clients] = tracked.generations as [Generation, Generation];
    await waitUntil(async () => tracked.tracking(), 10_000, 'notices set up');

    const before = { directory: await directory.current(), clients: await clients.current() };
    const gets = await getsAnswered(admin);
    for (let i = 0; i < 20; i++) expect(await directory.current()).toBe(before.directory);
    expect(await getsAnswered(admin)).toBe(gets);

    // As a node of any version raises it: a plain INCR from another connection.
    await admin.incr(directoryKey);
    await waitUntil(async () => (await directory.current()) !== before.directory, 5_000, 'directory change noticed');
    expect(await clients.current()).toBe(before.clients);

    // Through this node: the INCR is sent, and noticed like anyone's.
    const directoryNow = await directory.current();
    await clients.bump();
    expect(await admin.get(clientsKey)).toBe('1');
    await waitUntil(async () => (await clients.current()) !== before.clients, 5_000, 'clients change noticed');
    expect(await directory.current()).toBe(directoryNow);

    // Other keys, even under the same prefix, change nothing.
    const settled = [await directory.current(), await clients.current()];
    await admin.incr(`${directoryKey}:other`);
    await admin.set(`${clientsKey.replace('generation:clients', 'sessions')}`, 'x', 'EX', 5);
    await admin.ping();
    expect([await directory.current(), await clients.current()]).toEqual(settled);
  });

  it('reads with GET while its connection is down, and starts afresh when the notices come back', async () => {
    const [directoryKey] = keys() as [string];
    const tracked = track(redis.url, main, [directoryKey]);
    const [directory] = tracked.generations as [Generation];
    await waitUntil(async () => tracked.tracking(), 10_000, 'notices set up');
    const first = await directory.current();

    // Redis drops the notices connection (a restart, a network cut): nothing read before may count as current after.
    const list = await admin.client('LIST');
    const id = /id=(\d+) [^\n]*name=profile-broker-generations/.exec(String(list))?.[1];
    expect(id).toBeDefined();
    await admin.client('KILL', 'ID', id!);
    await waitUntil(async () => tracked.tracking() && (await directory.current()) !== first, 10_000, 'notices back');
    expect(await directory.current()).not.toBe(first);
  });

  it('reads with GET, seeing every change at once, where Redis refuses to send notices', async () => {
    const [directoryKey] = keys() as [string];
    const user = `no-tracking-${Date.now()}`;
    await admin.call('ACL', 'SETUSER', user, 'on', '>secret', '~*', '&*', '+@all', '-client|tracking');
    const url = redis.url.replace('redis://', `redis://${user}:secret@`);
    const limited = new Redis(url);
    try {
      const tracked = track(url, limited, [directoryKey]);
      const [directory] = tracked.generations as [Generation];
      await waitUntil(
        async () => lines.some((line) => line.includes('redis.generation_notices_refused')),
        10_000,
        'notices refused',
      );
      expect(await directory.current()).toBe('0');
      await admin.incr(directoryKey);
      // No notice to wait for: the very next read asks Redis.
      expect(await directory.current()).toBe('1');
      expect(tracked.tracking()).toBe(false);
    } finally {
      limited.disconnect();
      await admin.call('ACL', 'DELUSER', user);
    }
  });
});

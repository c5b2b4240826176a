import { ReplyError, type Redis } from 'ioredis';
import { connectRedis, redisTarget, type RedisClient } from './connection-options.ts';
import { FAIL_FAST } from './connection.ts';
import type { Generation } from '../cached-reads.ts';
import type { Logger } from '../../shared/logger.ts';

/** A generation counter every node shares (stores/cached-reads.ts): one Redis key, read with GET, raised with INCR. */
export function redisGeneration(redis: RedisClient, key: string): Generation {
  return {
    current: async () => (await redis.get(key)) ?? '0',
    bump: async () => void (await redis.incr(key)),
  };
}

/** The pub/sub channel Redis sends key-change notices to, on a RESP2 connection that asked for them. */
const INVALIDATE = '__redis__:invalidate';

export interface TrackedGenerations {
  /** One Generation per key given, in the same order. */
  generations: Generation[];
  /** Whether Redis is telling this node of every change now (reads cost no round trip). */
  tracking(): boolean;
  close(): void;
}

/**
 * The shared counters of `keys`, read without asking Redis while Redis tells this node of every change to them:
 * a connection of their own asks for notices of every write to those keys (CLIENT TRACKING in broadcast mode, sent to
 * itself on `__redis__:invalidate`), and each notice counts a change locally. A node then answers `current()` from
 * memory instead of a GET per request; any writer's INCR is noticed, so nodes of versions that only INCR are seen too.
 *
 * Redis sends the notice in the same pass of its event loop as its answer to the writer's INCR, so it reaches this
 * node before any request that follows the writer's answer (at least one more hop), and is read first. While the
 * connection is down or not yet set up, where Redis refuses, and on a Redis Cluster (the counters live on several
 * masters), every `current()` is a GET as before. Each time the notices start again the values start afresh (a new
 * session number), so nothing kept from before counts as current: a change missed in between cannot leave a stale
 * answer in use.
 */
export function trackGenerations(
  url: string,
  redis: RedisClient,
  keys: readonly string[],
  logger: Logger,
): TrackedGenerations {
  const plain = keys.map((key) => redisGeneration(redis, key));
  if (redisTarget(url).kind === 'cluster') return { generations: plain, tracking: () => false, close: () => undefined };

  // RESP2: ioredis hands RESP3's invalidation pushes to no one, but delivers RESP2's pub/sub messages.
  // One server or a Sentinel master (a Cluster returned above): connectRedis gives a plain Redis client.
  const notices = connectRedis(url, {
    ...FAIL_FAST,
    protocol: 2,
    autoResubscribe: false,
    connectionName: 'profile-broker-generations',
  }) as Redis;
  const counts = keys.map(() => 0);
  // Each set-up (and each loss of the connection) takes the next number; the set-up that went live names the values.
  let attempt = 0;
  let liveSince: number | undefined;
  let refused = false;

  const arm = async (mine: number) => {
    const id = await notices.client('ID');
    await notices.call(
      'CLIENT',
      'TRACKING',
      'ON',
      'REDIRECT',
      String(id),
      'BCAST',
      ...keys.flatMap((k) => ['PREFIX', k]),
    );
    await notices.subscribe(INVALIDATE);
    if (mine !== attempt || notices.status !== 'ready') return;
    liveSince = mine;
    logger.info('redis.generation_notices', { tracking: true });
  };
  const disarm = () => {
    attempt += 1;
    if (liveSince !== undefined) logger.info('redis.generation_notices', { tracking: false });
    liveSince = undefined;
  };
  notices.on('ready', () => {
    const mine = ++attempt;
    arm(mine).catch((err: Error) => {
      // A set-up that a reconnection has overtaken leaves the newer one alone.
      if (mine !== attempt) return;
      disarm();
      if (err instanceof ReplyError) {
        // A Redis that refuses CLIENT TRACKING (an ACL, a managed service) keeps every read a GET: said once.
        if (!refused) logger.warn('redis.generation_notices_refused', { message: err.message });
        refused = true;
      } else {
        // Cut off half way (a timeout, a dropped connection): connect again, which sets the notices up afresh.
        notices.disconnect(true);
      }
    });
  });
  notices.on('close', disarm);
  notices.on('error', () => undefined);
  notices.on('messageBuffer', (channel: Buffer, message: Buffer[] | Buffer | null) => {
    if (channel.toString() !== INVALIDATE) return;
    // No key names: the whole database was flushed.
    if (!Array.isArray(message)) {
      for (let i = 0; i < counts.length; i++) counts[i]! += 1;
      return;
    }
    for (const changed of message) {
      const index = keys.indexOf(changed.toString());
      if (index >= 0) counts[index]! += 1;
    }
  });

  return {
    generations: plain.map((shared, index) => ({
      current: async () => (liveSince !== undefined ? `t${liveSince}.${counts[index]}` : shared.current()),
      bump: shared.bump,
    })),
    tracking: () => liveSince !== undefined,
    close: () => {
      disarm();
      notices.disconnect();
    },
  };
}

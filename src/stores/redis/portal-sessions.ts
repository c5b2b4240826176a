import type { RedisClient } from './connection-options.ts';
import type { SessionStore } from '../../shared/session-store.ts';

export function createRedisPortalSessions<T>(redis: RedisClient, prefix: string): SessionStore<T> {
  return {
    async get(id) {
      const value = await redis.get(`${prefix}:${id}`);
      return value ? (JSON.parse(value) as T) : undefined;
    },
    async set(id, value, ttlSeconds) {
      await redis.set(`${prefix}:${id}`, JSON.stringify(value), 'EX', ttlSeconds);
    },
    async delete(id) {
      await redis.del(`${prefix}:${id}`);
    },
  };
}

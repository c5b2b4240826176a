import { startMongo } from './mongo.ts';
import { startRedisCluster } from './redis-cluster.ts';

/**
 * Starts a Redis Cluster (three masters, a replica each) and one MongoDB-protocol server for the "redis cluster" test
 * project: its brokers take the cluster as REDIS_URL (redis-cluster://…).
 */
export default async function setup() {
  const [redis, mongo] = await Promise.all([startRedisCluster(), startMongo()]);
  process.env.TEST_SHARED_REDIS_URL = redis.url;
  process.env.TEST_SHARED_MONGODB_URI = mongo.uri;
  (globalThis as Record<string, unknown>).__sharedStores = { redis, mongo };
}

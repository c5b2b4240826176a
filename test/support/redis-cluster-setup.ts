import { startMongo } from './mongo.ts';
import { startRedisCluster } from './redis-cluster.ts';
import { stopAfterRun } from './shared-stores-teardown.ts';

/**
 * Starts a Redis Cluster (three masters, a replica each) and one MongoDB-protocol server for the "redis cluster" test
 * project: its brokers take the cluster as REDIS_URL (redis-cluster://…). use-cluster-stores.ts points that
 * project's test files at them.
 */
export default async function setup() {
  const [redis, mongo] = await Promise.all([startRedisCluster(), startMongo()]);
  stopAfterRun(redis, mongo);
  process.env.TEST_CLUSTER_REDIS_URL = redis.url;
  process.env.TEST_CLUSTER_MONGODB_URI = mongo.uri;
}

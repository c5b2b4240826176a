import { startMongo } from './mongo.ts';
import { startRedis } from './redis.ts';
import { stopAfterRun } from './shared-stores-teardown.ts';

/**
 * Starts one Redis and one MongoDB-protocol server for the "production stores" test project. Their addresses go in
 * variables of this project's own: the "redis cluster" project's setup runs in the same process.
 */
export default async function setup() {
  const [redis, mongo] = await Promise.all([startRedis(), startMongo()]);
  stopAfterRun(redis, mongo);
  process.env.TEST_SHARED_REDIS_URL = redis.url;
  process.env.TEST_SHARED_MONGODB_URI = mongo.uri;
}

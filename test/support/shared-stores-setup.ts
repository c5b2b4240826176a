import { startMongo } from './mongo.ts';
import { startRedis } from './redis.ts';

/** Starts one Redis and one MongoDB-protocol server for the "production stores" test project. */
export default async function setup() {
  const [redis, mongo] = await Promise.all([startRedis(), startMongo()]);
  process.env.TEST_SHARED_REDIS_URL = redis.url;
  process.env.TEST_SHARED_MONGODB_URI = mongo.uri;
  (globalThis as Record<string, unknown>).__sharedStores = { redis, mongo };
}

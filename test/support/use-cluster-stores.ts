// Marks the "redis cluster" test project: startBroker() then runs every broker on the Redis Cluster and the MongoDB
// server redis-cluster-setup.ts started (through the same variables as the "production stores" project). Jest gives each test file its own copy of process.env, so this does not
// reach the "production stores" files a worker runs next.
process.env.TEST_STORES = 'cluster';
process.env.TEST_SHARED_REDIS_URL = process.env.TEST_CLUSTER_REDIS_URL;
process.env.TEST_SHARED_MONGODB_URI = process.env.TEST_CLUSTER_MONGODB_URI;

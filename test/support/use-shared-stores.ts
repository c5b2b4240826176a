// Marks the "production stores" test project: startBroker() then runs every broker on Redis and MongoDB.
process.env.TEST_STORES = 'shared';

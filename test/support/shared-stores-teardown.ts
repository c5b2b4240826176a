/** Stops the servers shared-stores-setup.ts started. */
export default async function teardown() {
  const servers = (globalThis as Record<string, unknown>).__sharedStores as
    { redis: { stop(): Promise<void> }; mongo: { stop(): Promise<void> } } | undefined;
  await Promise.all([servers?.redis.stop(), servers?.mongo.stop()]);
}

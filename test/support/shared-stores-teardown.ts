/**
 * Stops the servers the projects' global setups started (shared-stores-setup.ts, redis-cluster-setup.ts). Every
 * project's setup runs in the one jest process before any test, so each adds its servers to one list rather than
 * owning a global: a server left running keeps jest from exiting.
 */
export default async function teardown() {
  const servers = ((globalThis as Record<string, unknown>).__storesToStop ?? []) as { stop(): Promise<unknown> }[];
  (globalThis as Record<string, unknown>).__storesToStop = [];
  await Promise.all(servers.map((server) => server.stop()));
}

/** Records servers a global setup started, for the teardown above. */
export function stopAfterRun(...servers: { stop(): Promise<unknown> }[]) {
  const list = ((globalThis as Record<string, unknown>).__storesToStop ?? []) as { stop(): Promise<unknown> }[];
  (globalThis as Record<string, unknown>).__storesToStop = [...list, ...servers];
}

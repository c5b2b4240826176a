/**
 * The broker (as `node src/main.ts` runs it, without tracing) with its stores filled before it listens:
 * BENCH_PRELOAD_PROFILES directory profiles and BENCH_PRELOAD_GRANTS live grants of BENCH_PRELOAD_CLIENT (preload.ts).
 * Benchmarks only: compare.ts starts this instead of main.ts when either count is set. The preload runs in this process
 * because memory stores belong to it; on the production stores it is the same code against Redis and MongoDB.
 */
import { stopOnOldNode } from '../../src/shared/node-version.ts';
import { preloadCounts, preloadDirectory, preloadGrants, preloadProfileId, timed } from './preload.ts';

stopOnOldNode();
const counts = preloadCounts();
const clientId = process.env.BENCH_PRELOAD_CLIENT;
const { runBroker } = await import('../../src/run-broker.ts');
await runBroker({
  async preload({ stores, provider, config }) {
    if (counts.profiles)
      await timed(`directory (${stores.kind} stores)`, () =>
        preloadDirectory(stores.directory, counts.profiles, config.directory.profileKinds),
      );
    if (counts.grants) {
      if (!clientId) throw new Error('BENCH_PRELOAD_GRANTS needs BENCH_PRELOAD_CLIENT, the portal the grants are of');
      // Each grant is a preloaded profile's when there are as many; else the profiles take turns.
      const accountOf = (i: number) => preloadProfileId(counts.profiles ? i % counts.profiles : i);
      await timed(`grants (${stores.kind} stores)`, () => preloadGrants(provider, clientId, counts.grants, accountOf));
    }
  },
});

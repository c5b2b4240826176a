import { createMemoryDirectory } from '../../src/stores/memory/directory.ts';
import { CONTRACT_SEED, directoryContract } from './directory.contract.ts';
import { createManualClock } from '../../src/shared/clock.ts';
import { createMemoryOidcAdapter } from '../../src/stores/memory/oidc-adapter.ts';
import { oidcAdapterContract } from './oidc-adapter.contract.ts';

oidcAdapterContract('memory', async () => {
  const clock = createManualClock();
  return { adapter: createMemoryOidcAdapter(clock), expire: async (seconds) => clock.advance(seconds * 1000) };
});

directoryContract('memory', async () => createMemoryDirectory(CONTRACT_SEED));

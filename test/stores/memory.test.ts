import { createManualClock } from '../../src/shared/clock.ts';
import { createMemoryOidcAdapter } from '../../src/stores/memory/oidc-adapter.ts';
import { oidcAdapterContract } from './oidc-adapter.contract.ts';

oidcAdapterContract('memory', async () => {
  const clock = createManualClock();
  return { adapter: createMemoryOidcAdapter(clock), expire: async (seconds) => clock.advance(seconds * 1000) };
});

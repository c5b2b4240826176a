import { describe, expect, it } from '@jest/globals';
import Provider, { type Adapter, type AdapterPayload } from 'oidc-provider';
import { localGeneration, MAX_AGE_MS, MAX_ENTRIES, type Generation } from '../../src/stores/cached-reads.ts';
import { keepClientObjects } from '../../src/oidc/kept-clients.ts';

/** A real oidc-provider whose clients come from `stored` (as the broker's come from its client store), reads counted. */
function providerWith(stored: Map<string, AdapterPayload>) {
  const reads: string[] = [];
  const clientAdapter = {
    async find(id: string) {
      reads.push(id);
      const metadata = stored.get(id);
      return metadata && structuredClone(metadata);
    },
  } as unknown as Adapter;
  const provider = new Provider('http://127.0.0.1:1', {
    adapter: (model: string) => (model === 'Client' ? clientAdapter : ({} as Adapter)),
  });
  return { provider, reads };
}

/** As the broker keeps them (services.ts): the stores' cached reads' bounds. */
const KEEP = { maxAgeMs: MAX_AGE_MS, maxEntries: MAX_ENTRIES };

const portal = (secret: string): AdapterPayload => ({
  client_id: 'portal',
  client_secret: secret,
  redirect_uris: ['https://portal.example/cb'],
});

describe("oidc-provider's client objects kept per node", () => {
  it('reads a client once while no client changes, and again as soon as one does', async () => {
    const stored = new Map([['portal', portal('first-secret-0123456789abcdef')]]);
    const { provider, reads } = providerWith(stored);
    const generation = localGeneration();
    keepClientObjects(provider, generation, KEEP);

    const first = await provider.Client.find('portal');
    expect(await provider.Client.find('portal')).toBe(first);
    expect(reads).toEqual(['portal']);

    // A rotated secret, written through the client store, which raises the generation.
    stored.set('portal', portal('second-secret-0123456789abcdef'));
    await generation.bump();
    const after = await provider.Client.find('portal');
    expect(after?.clientSecret).toBe('second-secret-0123456789abcdef');
    expect(reads).toEqual(['portal', 'portal']);

    // Disabled or deleted: unknown at the next request, and not remembered as unknown either.
    stored.delete('portal');
    await generation.bump();
    expect(await provider.Client.find('portal')).toBeUndefined();
    stored.set('portal', portal('third-secret-0123456789abcdef'));
    expect((await provider.Client.find('portal'))?.clientSecret).toBe('third-secret-0123456789abcdef');
  });

  it('reads again after the cached reads’ age, whatever the generation says (a change made beside the broker)', async () => {
    const stored = new Map([['portal', portal('first-secret-0123456789abcdef')]]);
    const { provider, reads } = providerWith(stored);
    let now = 1_000_000;
    keepClientObjects(provider, localGeneration(), { ...KEEP, clock: () => now });
    await provider.Client.find('portal');
    now += MAX_AGE_MS - 1;
    await provider.Client.find('portal');
    expect(reads).toHaveLength(1);
    stored.set('portal', portal('changed-by-hand-0123456789abcdef'));
    now += 1;
    expect((await provider.Client.find('portal'))?.clientSecret).toBe('changed-by-hand-0123456789abcdef');
    expect(reads).toHaveLength(2);
  });

  it('asks the store every time when the generation cannot be read (Redis away)', async () => {
    const stored = new Map([['portal', portal('first-secret-0123456789abcdef')]]);
    const { provider, reads } = providerWith(stored);
    const away: Generation = {
      current: () => Promise.reject(new Error('connection lost')),
      bump: () => Promise.reject(new Error('connection lost')),
    };
    keepClientObjects(provider, away, KEEP);
    await provider.Client.find('portal');
    await provider.Client.find('portal');
    expect(reads).toEqual(['portal', 'portal']);
  });
});

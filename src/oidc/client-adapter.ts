import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';
import type { ClientStore } from '../clients/client-store.ts';

/**
 * oidc-provider's storage, with its 'Client' model read from the client store instead of the token store.
 * oidc-provider looks a client up through this on every request that names one (docs/architecture.md §6), so a client
 * disabled or changed in the store is refused or changed on every node at once. Writing clients is the admin
 * use cases' job; oidc-provider's own registration endpoints are off, so it never writes here.
 */
export function withClientStore<F extends AdapterFactory>(tokens: F, clients: ClientStore): F {
  const clientAdapter: Adapter = {
    async find(id) {
      const client = await clients.find(id);
      return client?.status === 'active' ? (client.metadata as AdapterPayload) : undefined;
    },
    upsert: unsupported,
    findByUid: unsupported,
    findByUserCode: unsupported,
    consume: unsupported,
    destroy: unsupported,
    revokeByGrantId: unsupported,
  };
  const factory = (model: string) => (model === 'Client' ? clientAdapter : tokens(model));
  return Object.assign(factory, tokens);
}

async function unsupported(): Promise<never> {
  throw new Error('clients are written through the client store, not through oidc-provider');
}

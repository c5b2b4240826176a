import type { ClientStore, StoredClient } from './client-store.ts';
import type { SecretKeyring } from './secret-encryption.ts';

/**
 * A client store whose backend only ever holds `metadata.client_secret` encrypted (secret-encryption.ts), while
 * every caller (oidc-provider's adapter, the configured-client registration, the admin use cases) keeps reading
 * and writing plaintext. Nothing else about a client changes. The composition root wraps the store once, so no
 * path to the backend bypasses it.
 *
 * The caller's client is never changed by a write, and what a read returns shares nothing with what the backend
 * holds (the backends hand out and keep copies of their own, so a shallow copy with the secret replaced suffices).
 */
export function withEncryptedSecrets(store: ClientStore, keyring: SecretKeyring): ClientStore {
  const sealed = (client: StoredClient) => withSecret(client, (secret) => keyring.encrypt(secret, client.clientId));
  const opened = (client: StoredClient) => withSecret(client, (secret) => keyring.decrypt(secret, client.clientId));
  return {
    async find(clientId) {
      // oidc-provider's lookup of every token request: the backend's answer is a copy of its own, so its secret is
      // opened in place rather than copying the client twice more (docs/decisions/0028).
      const client = await store.find(clientId);
      const secret = client?.metadata.client_secret;
      if (typeof secret === 'string') client!.metadata.client_secret = keyring.decrypt(secret, client!.clientId);
      return client;
    },
    async list() {
      return (await store.list()).map(opened);
    },
    save: (client) => store.save(sealed(client)),
    register: (client) => store.register(sealed(client)),
    remove: (clientId) => store.remove(clientId),
  };
}

function withSecret(client: StoredClient, transform: (secret: string) => string): StoredClient {
  // Public clients (token_endpoint_auth_method none) have no secret: nothing to encrypt, and no key is added.
  const secret = client.metadata.client_secret;
  return {
    ...client,
    metadata: { ...client.metadata, ...(typeof secret === 'string' ? { client_secret: transform(secret) } : {}) },
  };
}

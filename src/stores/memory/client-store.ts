import { copyData } from '../../shared/copy-data.ts';
import type { ClientStore, StoredClient } from '../../clients/client-store.ts';

/** Clients in process memory, for the embedded default and fast tests. Copies go in and out, like a database. */
export function createMemoryClientStore(): ClientStore {
  const clients = new Map<string, StoredClient>();
  return {
    async find(clientId) {
      const client = clients.get(clientId);
      return client && copyData(client);
    },
    async list() {
      return [...clients.values()].sort((a, b) => a.clientId.localeCompare(b.clientId)).map((c) => copyData(c));
    },
    async save(client) {
      const existing = clients.get(client.clientId);
      clients.set(client.clientId, copyData({ ...client, createdAt: existing?.createdAt ?? client.createdAt }));
    },
    async register(client) {
      const existing = clients.get(client.clientId);
      clients.set(
        client.clientId,
        copyData({
          ...client,
          status: existing?.status ?? client.status,
          tokenGeneration: existing?.tokenGeneration ?? client.tokenGeneration,
          createdAt: existing?.createdAt ?? client.createdAt,
        }),
      );
    },
    async remove(clientId) {
      return clients.delete(clientId);
    },
  };
}

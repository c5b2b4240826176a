import { describe, expect, it } from '@jest/globals';
import type { ClientStore, StoredClient } from '../../src/clients/client-store.ts';
import { withEncryptedSecrets } from '../../src/clients/encrypted-client-store.ts';
import { createSecretKeyring, SecretKeyError } from '../../src/clients/secret-encryption.ts';
import { clientStoreContract } from './client-and-audit.contract.ts';

const OLD_KEY = 'contract-old-secret-key-0123456789abcdef';
const NEW_KEY = 'contract-new-secret-key-0123456789abcdef';
const SECRET = 'contract-portal-secret-0123456789abcdef';

const client = (id: string, overrides: Partial<StoredClient['metadata']> = {}): StoredClient => ({
  clientId: id,
  metadata: { client_id: id, client_secret: SECRET, redirect_uris: ['https://portal.example/cb'], ...overrides },
  status: 'active',
  source: 'admin',
  tokenGeneration: 'generation-1',
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-01-01T00:00:00Z'),
});

/**
 * A backend's client store under withEncryptedSecrets: the whole client-store contract holds through it, and the
 * backend itself only ever holds ciphertext. `setup` gives an empty backend store.
 */
export function encryptedClientStoreContract(name: string, setup: () => Promise<ClientStore>) {
  clientStoreContract(`${name}, secrets encrypted,`, async () =>
    withEncryptedSecrets(await setup(), createSecretKeyring([NEW_KEY])),
  );

  describe(`${name} client store under secret encryption`, () => {
    it('hands the backend only ciphertext, on save and on register, and gives callers the plaintext', async () => {
      const backend = await setup();
      const store = withEncryptedSecrets(backend, createSecretKeyring([NEW_KEY]));
      await store.save(client('a'));
      await store.register(client('b'));
      for (const id of ['a', 'b']) {
        const raw = (await backend.find(id))!;
        expect(raw.metadata.client_secret).toMatch(/^enc:v1:/);
        expect(JSON.stringify(raw)).not.toContain(SECRET);
        expect({ ...raw, metadata: { ...raw.metadata, client_secret: SECRET } }).toEqual(client(id));
      }
      expect(await store.find('a')).toEqual(client('a'));
      expect((await store.list()).map((c) => c.metadata.client_secret)).toEqual([SECRET, SECRET]);
    });

    it("leaves the caller's client as it was, and a public client without a secret", async () => {
      const backend = await setup();
      const store = withEncryptedSecrets(backend, createSecretKeyring([NEW_KEY]));
      const mine = client('a');
      await store.save(mine);
      expect(mine).toEqual(client('a'));
      const { client_secret: _none, ...publicMetadata } = client('p', { token_endpoint_auth_method: 'none' }).metadata;
      await store.save({ ...client('p'), metadata: publicMetadata });
      expect('client_secret' in (await backend.find('p'))!.metadata).toBe(false);
      expect('client_secret' in (await store.find('p'))!.metadata).toBe(false);
    });

    it('reads a legacy plaintext secret as it is and encrypts it at the next write', async () => {
      const backend = await setup();
      await backend.save(client('legacy'));
      const store = withEncryptedSecrets(backend, createSecretKeyring([NEW_KEY]));
      const read = (await store.find('legacy'))!;
      expect(read.metadata.client_secret).toBe(SECRET);
      await store.save({ ...read, status: 'disabled' });
      expect((await backend.find('legacy'))!.metadata.client_secret).toMatch(/^enc:v1:/);
      expect((await store.find('legacy'))!).toMatchObject({ status: 'disabled', metadata: { client_secret: SECRET } });
    });

    it('after a key rotation reads what the old key wrote, writes with the new one, and names SECRET_KEYS when a key is missing', async () => {
      const backend = await setup();
      await withEncryptedSecrets(backend, createSecretKeyring([OLD_KEY])).save(client('a'));
      const rotated = withEncryptedSecrets(backend, createSecretKeyring([NEW_KEY, OLD_KEY]));
      expect((await rotated.find('a'))!.metadata.client_secret).toBe(SECRET);

      const withoutOld = withEncryptedSecrets(backend, createSecretKeyring([NEW_KEY]));
      await expect(withoutOld.find('a')).rejects.toThrow(SecretKeyError);
      await expect(withoutOld.list()).rejects.toThrow(/SECRET_KEYS/);

      await rotated.save((await rotated.find('a'))!);
      expect((await backend.find('a'))!.metadata.client_secret).toContain(
        `:${createSecretKeyring([NEW_KEY]).currentKeyId}:`,
      );
      expect((await withoutOld.find('a'))!.metadata.client_secret).toBe(SECRET);
    });
  });
}

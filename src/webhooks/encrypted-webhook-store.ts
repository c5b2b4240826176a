import type { SecretKeyring } from '../clients/secret-encryption.ts';
import type { Subscription, WebhookStore } from './webhook-store.ts';

/**
 * A webhook store whose backend only ever holds signing secrets encrypted, with the keyring that encrypts client
 * secrets (docs/decisions/0008): a copy of the database does not let anyone sign events a receiver would believe.
 * The value is bound to `webhook-subscription:<id>`, so it neither opens as a client's secret nor as another
 * subscription's. The composition root wraps the store once.
 */
export function withEncryptedWebhookSecrets(store: WebhookStore, keyring: SecretKeyring): WebhookStore {
  const binding = (s: Subscription) => `webhook-subscription:${s.id}`;
  const sealed = (s: Subscription) => ({ ...s, secret: keyring.encrypt(s.secret, binding(s)) });
  const opened = (s: Subscription) => ({ ...s, secret: keyring.decrypt(s.secret, binding(s)) });
  return {
    ...store,
    saveSubscription: (s) => store.saveSubscription(sealed(s)),
    findSubscription: async (id) => {
      const s = await store.findSubscription(id);
      return s && opened(s);
    },
    listSubscriptions: async () => (await store.listSubscriptions()).map(opened),
  };
}

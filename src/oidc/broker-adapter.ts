import type { AdapterFactory, AdapterPayload } from 'oidc-provider';

/**
 * oidc-provider's storage as the broker needs it: the adapter, plus a profile's sessions (listed on "My account",
 * ended by "sign out everywhere" and the support desk) and revoking everything a profile signed in with.
 */
export type BrokerAdapter = AdapterFactory & {
  /** The live Session payloads signed in as `accountId` (oldest first by login time). */
  sessionsOf(accountId: string): Promise<AdapterPayload[]>;
  /** Ends every session signed in as the account and revokes its grants with their tokens. */
  revokeAccount(accountId: string): Promise<void>;
};

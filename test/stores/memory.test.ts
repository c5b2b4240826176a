import { createMemoryWebhookStore } from '../../src/stores/memory/webhook-store.ts';
import { webhookStoreContract } from './webhook-store.contract.ts';
import { randomToken } from '../../src/shared/ids.ts';
import { createMemoryLinkStore } from '../../src/stores/memory/link-store.ts';
import { createMemoryRateLimiter } from '../../src/stores/memory/rate-limiter.ts';
import { createMemoryTransactionStore } from '../../src/stores/memory/transaction-store.ts';
import { linkStoreContract, rateLimiterContract, transactionStoreContract } from './association-stores.contract.ts';
import { createMemoryDirectory } from '../../src/stores/memory/directory.ts';
import { CONTRACT_SEED, directoryContract } from './directory.contract.ts';
import { createManualClock } from '../../src/shared/clock.ts';
import { createMemoryOidcAdapter } from '../../src/stores/memory/oidc-adapter.ts';
import { oidcAdapterContract } from './oidc-adapter.contract.ts';
import { auditLogContract, clientStoreContract } from './client-and-audit.contract.ts';
import { encryptedClientStoreContract } from './encrypted-client-store.contract.ts';
import { createMemoryAuditLog } from '../../src/stores/memory/audit-log.ts';
import { createMemoryClientStore } from '../../src/stores/memory/client-store.ts';
import { createMemoryEmailChangeStore } from '../../src/stores/memory/email-change-store.ts';
import { emailChangeStoreContract } from './email-change.contract.ts';

oidcAdapterContract('memory', async () => {
  const clock = createManualClock();
  return { adapter: createMemoryOidcAdapter(clock), expire: async (seconds) => clock.advance(seconds * 1000) };
});

directoryContract('memory', async () => createMemoryDirectory(CONTRACT_SEED));

linkStoreContract('memory', async () => createMemoryLinkStore());
rateLimiterContract('memory', async (points) =>
  createMemoryRateLimiter({ keyPrefix: randomToken(6), points, windowSeconds: 3600 }),
);
transactionStoreContract('memory', async () => createMemoryTransactionStore(createManualClock()));
emailChangeStoreContract('memory', async () => createMemoryEmailChangeStore());

clientStoreContract('memory', async () => createMemoryClientStore());
encryptedClientStoreContract('memory', async () => createMemoryClientStore());
auditLogContract('memory', async () => createMemoryAuditLog());
webhookStoreContract('memory', async () => createMemoryWebhookStore());

import { describe, expect, it } from '@jest/globals';
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

describe('memory audit log retention', () => {
  it('stops returning an event once its retention has passed', async () => {
    const clock = createManualClock();
    const log = createMemoryAuditLog({ retentionDays: 2, clock });
    await log.record({ id: 'R-1', at: clock.now(), action: 'sign_in.succeeded', outcome: 'success', actor: 'system' });
    clock.advance(24 * 3600 * 1000);
    await log.record({ id: 'R-2', at: clock.now(), action: 'sign_in.succeeded', outcome: 'success', actor: 'system' });
    expect((await log.query({ limit: 10 })).map((e) => e.id)).toEqual(['R-2', 'R-1']);
    clock.advance(24 * 3600 * 1000 + 1);
    expect((await log.query({ limit: 10 })).map((e) => e.id)).toEqual(['R-2']);
  });

  it('stops returning an event recorded after a newer one once its own retention has passed', async () => {
    const clock = createManualClock();
    const log = createMemoryAuditLog({ retentionDays: 2, clock });
    const dayAgo = new Date(clock.now().getTime() - 24 * 3600 * 1000);
    await log.record({ id: 'R-1', at: clock.now(), action: 'sign_in.succeeded', outcome: 'success', actor: 'system' });
    await log.record({ id: 'R-0', at: dayAgo, action: 'sign_in.succeeded', outcome: 'success', actor: 'system' });
    clock.advance(24 * 3600 * 1000 + 1);
    await log.record({ id: 'R-2', at: clock.now(), action: 'sign_in.succeeded', outcome: 'success', actor: 'system' });
    expect((await log.query({ limit: 10 })).map((e) => e.id)).toEqual(['R-2', 'R-1']);
  });
});

import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { referenceCode } from '../../src/shared/ids.ts';
import { commandLineOf } from '../support/admin-api.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { waitUntil } from '../support/wait.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let broker: TestBroker;
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
  broker = await startBroker({ webhooks: { retry: { attempts: 5, baseDelayMs: 20, maxDelayMs: 50 } } });
});
afterAll(async () => {
  await broker.close();
  await receiver.stop();
});

/** `npm run admin -- webhooks …`, through the command line's own parsing and printing. */
const admin = (...argv: string[]) => commandLineOf(broker)(...argv);

it('creates, lists, shows, disables, enables, rotates, lists deliveries, replays and deletes from the command line', async () => {
  const created = await admin('webhooks', 'create', receiver.url(), '--events', 'profile.enabled,profile.disabled');
  expect(created.exitCode).toBe(0);
  const id = /webhook (wh-\S+)/.exec(created.stdout)![1]!;
  const secret = /secret: (whsec_\S+)/.exec(created.stdout)![1]!;
  receiver.useSecret(secret);
  expect((await admin('webhooks', 'list')).stdout).toContain(id);
  expect((await admin('webhooks', 'show', id)).stdout).not.toContain('whsec_');
  expect((await admin('webhooks', 'disable', id)).stdout).toBe(`${id}: disabled\n`);
  expect((await admin('webhooks', 'enable', id)).stdout).toBe(`${id}: active\n`);

  const eventId = referenceCode();
  await broker.services.audit.record({
    id: eventId,
    at: new Date(),
    action: 'profile.enabled',
    outcome: 'success',
    actor: 'system',
    profileId: 'prf-erin-contoso',
  });
  // Received, then recorded as delivered.
  await waitUntil(
    async () =>
      JSON.parse((await admin('webhooks', 'deliveries', id, '--json')).stdout).deliveries[0]?.status === 'delivered',
    10_000,
    'event delivered',
  );
  expect((await admin('webhooks', 'deliveries', id)).stdout).toMatch(
    new RegExp(`${eventId}\\s+profile.enabled.*delivered`),
  );
  const deliveries = JSON.parse((await admin('webhooks', 'deliveries', id, '--json')).stdout);
  expect(deliveries.deliveries[0]).toMatchObject({ event_id: eventId, attempts: 1 });
  expect((await admin('webhooks', 'replay', id, eventId)).exitCode).toBe(0);
  await waitUntil(() => receiver.received.length === 2, 10_000, 'replay received');
  expect(receiver.received.every((r) => r.verified && r.id === eventId)).toBe(true);
  const retried = await admin('webhooks', 'retry', id, eventId);
  expect(retried.exitCode).toBe(1);
  expect(retried.stderr).toContain('webhook_delivery_not_failed');

  const rotated = await admin('webhooks', 'rotate-secret', id);
  expect(rotated.stdout).toMatch(/secret: whsec_/);
  expect(rotated.stdout).not.toContain(secret);

  const refused = await admin('webhooks', 'create', 'gopher://x.example/', '--events', 'nope');
  expect(refused.exitCode).toBe(1);
  expect((await admin('webhooks', 'create')).exitCode).toBe(2);
  expect((await admin('webhooks', 'delete', id)).stdout).toBe(`deleted ${id}\n`);
  expect((await admin('webhooks', 'show', id)).stderr).toContain('webhook_not_found');
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientMetadata } from 'oidc-provider';
import { registerConfiguredClients } from '../../src/clients/register-configured-clients.ts';
import { createPortal } from '../support/portal.ts';
import { startBroker, TEST_PORTAL, type TestBroker } from '../support/broker.ts';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(() => broker.close());

/** What a restart with another configuration does to the client store. */
const restartWith = (clients: ClientMetadata[]) =>
  registerConfiguredClients(
    {
      provider: broker.services.provider,
      clients: broker.services.clients,
      clock: broker.services.clock,
      logger: broker.services.logger,
    },
    clients,
  );

describe('clients named by configuration', () => {
  it("are in the client store, marked as configuration's, with their policy, and serve portals from there", async () => {
    expect(await broker.services.clients.find(TEST_PORTAL.client_id)).toMatchObject({
      source: 'configuration',
      status: 'active',
      metadata: {
        redirect_uris: TEST_PORTAL.redirect_uris,
        profile_kinds: ['customer', 'partner'],
        contract_required: true,
      },
    });
    await expect(createPortal(broker.issuer)).resolves.toBeDefined();
  });

  it('take their metadata from configuration at every start, keep a disabled client disabled, and go when removed from it', async () => {
    const now = new Date();
    await broker.services.clients.save({
      clientId: 'by-admin',
      metadata: { ...TEST_PORTAL, client_id: 'by-admin' },
      status: 'active',
      source: 'admin',
      tokenGeneration: 'generation-1',
      createdAt: now,
      updatedAt: now,
    });
    const stored = (await broker.services.clients.find(TEST_PORTAL.client_id))!;
    await broker.services.clients.save({ ...stored, status: 'disabled' });

    await restartWith([
      { ...TEST_PORTAL, client_name: 'Renamed portal' },
      { ...TEST_PORTAL, client_id: 'second' },
    ]);
    expect(await broker.services.clients.find(TEST_PORTAL.client_id)).toMatchObject({
      status: 'disabled',
      metadata: { client_name: 'Renamed portal' },
      createdAt: stored.createdAt,
    });
    expect((await broker.services.clients.list()).map((c) => [c.clientId, c.source])).toEqual(
      expect.arrayContaining([
        ['second', 'configuration'],
        ['by-admin', 'admin'],
      ]),
    );

    await restartWith([{ ...TEST_PORTAL }]);
    const ids = (await broker.services.clients.list()).map((c) => c.clientId);
    expect(ids).not.toContain('second');
    expect(ids).toContain('by-admin');
    await broker.services.clients.save({
      ...(await broker.services.clients.find(TEST_PORTAL.client_id))!,
      status: 'active',
    });
  });

  it('are validated before anything is written: one bad client stops the start and changes nothing', async () => {
    await expect(
      restartWith([
        { ...TEST_PORTAL, client_name: 'Not written' },
        { ...TEST_PORTAL, client_id: 'bad', redirect_uris: ['https://*.evil.example/cb'] },
      ]),
    ).rejects.toThrow('clients.bad: https://*.evil.example/cb: wildcards are not allowed');
    expect((await broker.services.clients.find(TEST_PORTAL.client_id))!.metadata.client_name).not.toBe('Not written');
    expect(await broker.services.clients.find('bad')).toBeUndefined();
  });
});

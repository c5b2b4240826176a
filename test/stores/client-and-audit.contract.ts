import { describe, expect, it } from '@jest/globals';
import type { AuditEvent, AuditLog } from '../../src/audit/audit-log.ts';
import type { ClientStore, StoredClient } from '../../src/clients/client-store.ts';

const client = (id: string, overrides: Partial<StoredClient> = {}): StoredClient => ({
  clientId: id,
  metadata: {
    client_id: id,
    client_secret: 's'.repeat(32),
    redirect_uris: ['https://portal.example/cb'],
    profile_kinds: ['customer'],
    contract_required: true,
  },
  status: 'active',
  source: 'admin',
  tokenGeneration: 'generation-1',
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-01-01T00:00:00Z'),
  ...overrides,
});

/** The contract of the client store; each backend's test calls it with an empty store. */
export function clientStoreContract(name: string, setup: () => Promise<ClientStore>) {
  describe(`${name} client store`, () => {
    it('reads a client back as saved, metadata and policy included', async () => {
      const store = await setup();
      await store.save(client('a'));
      expect(await store.find('a')).toEqual(client('a'));
      expect(await store.find('missing')).toBeUndefined();
    });

    it('replaces a client on save and keeps its creation time', async () => {
      const store = await setup();
      await store.save(client('a'));
      const changed = client('a', {
        metadata: {
          client_id: 'a',
          redirect_uris: ['https://other.example/cb'],
          profile_kinds: ['partner'],
          contract_required: false,
        },
        status: 'disabled',
        tokenGeneration: 'generation-2',
        createdAt: new Date('2026-05-05T00:00:00Z'),
        updatedAt: new Date('2026-05-05T00:00:00Z'),
      });
      await store.save(changed);
      expect(await store.find('a')).toEqual({ ...changed, createdAt: new Date('2026-01-01T00:00:00Z') });
    });

    it('registers a client: created as given, or new metadata and source keeping status, token generation and creation time', async () => {
      const store = await setup();
      await store.register(client('a', { source: 'configuration' }));
      expect(await store.find('a')).toEqual(client('a', { source: 'configuration' }));
      await store.save(client('a', { status: 'disabled', tokenGeneration: 'generation-2' }));
      const later = new Date('2026-06-01T00:00:00Z');
      await store.register(
        client('a', {
          source: 'configuration',
          status: 'active',
          tokenGeneration: 'generation-3',
          metadata: { client_id: 'a', client_name: 'Renamed' },
          createdAt: later,
          updatedAt: later,
        }),
      );
      expect(await store.find('a')).toEqual(
        client('a', {
          source: 'configuration',
          status: 'disabled',
          tokenGeneration: 'generation-2',
          metadata: { client_id: 'a', client_name: 'Renamed' },
          updatedAt: later,
        }),
      );
    });

    it('lists clients by id and removes them', async () => {
      const store = await setup();
      await store.save(client('b'));
      await store.save(client('a', { source: 'configuration' }));
      expect((await store.list()).map((c) => [c.clientId, c.source])).toEqual([
        ['a', 'configuration'],
        ['b', 'admin'],
      ]);
      expect(await store.remove('a')).toBe(true);
      expect(await store.remove('a')).toBe(false);
      expect((await store.list()).map((c) => c.clientId)).toEqual(['b']);
    });

    it('gives copies: changing what was read changes nothing stored', async () => {
      const store = await setup();
      await store.save(client('a'));
      const read = (await store.find('a'))!;
      (read.metadata.redirect_uris as string[]).push('https://evil.example/cb');
      expect((await store.find('a'))!.metadata.redirect_uris).toEqual(['https://portal.example/cb']);
    });
  });
}

const event = (id: string, at: string, overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  id,
  at: new Date(at),
  action: 'association.created',
  outcome: 'success',
  actor: 'person:up:alice',
  ...overrides,
});

/** The contract of the audit log; each backend's test calls it with an empty log. */
export function auditLogContract(name: string, setup: () => Promise<AuditLog>) {
  describe(`${name} audit log`, () => {
    it('reads events back newest first, with every field as recorded', async () => {
      const log = await setup();
      const full = event('E-1', '2026-01-01T10:00:00Z', {
        ip: '192.0.2.1',
        requestId: '4bf92f3577b34da6a3ce929d0e0e4736',
        organisationId: 'o1',
        profileId: 'p1',
        clientId: 'c1',
        details: { account: 'al***@example.com', sent: 2, replaced: false },
      });
      await log.record(full);
      await log.record(event('E-2', '2026-01-01T11:00:00Z', { outcome: 'failure', action: 'association.refused' }));
      expect(await log.query({ limit: 10 })).toEqual([
        event('E-2', '2026-01-01T11:00:00Z', { outcome: 'failure', action: 'association.refused' }),
        full,
      ]);
    });

    it('records an id once: a retried step does not duplicate or change its event', async () => {
      const log = await setup();
      await log.record(event('E-1', '2026-01-01T10:00:00Z'));
      await log.record(event('E-1', '2026-01-01T12:00:00Z', { outcome: 'failure' }));
      await Promise.all(Array.from({ length: 10 }, () => log.record(event('E-2', '2026-01-01T10:30:00Z'))));
      expect((await log.query({ limit: 10 })).map((e) => [e.id, e.outcome])).toEqual([
        ['E-2', 'success'],
        ['E-1', 'success'],
      ]);
    });

    it('filters by organisation, profile, client, actor, action and time range', async () => {
      const log = await setup();
      await log.record(event('A', '2026-01-01T10:00:00Z', { organisationId: 'o1', profileId: 'p1', clientId: 'c1' }));
      await log.record(
        event('B', '2026-01-02T10:00:00Z', {
          organisationId: 'o1',
          profileId: 'p2',
          clientId: 'c2',
          actor: 'admin:root',
        }),
      );
      await log.record(
        event('C', '2026-01-03T10:00:00Z', { organisationId: 'o2', profileId: 'p3', action: 'client.updated' }),
      );
      const ids = async (filter: Parameters<AuditLog['query']>[0]) => (await log.query(filter)).map((e) => e.id);
      expect(await ids({ organisationId: 'o1', limit: 10 })).toEqual(['B', 'A']);
      expect(await ids({ profileId: 'p3', limit: 10 })).toEqual(['C']);
      expect(await ids({ clientId: 'c1', limit: 10 })).toEqual(['A']);
      expect(await ids({ actor: 'admin:root', limit: 10 })).toEqual(['B']);
      expect(await ids({ action: 'client.updated', limit: 10 })).toEqual(['C']);
      expect(await ids({ from: new Date('2026-01-02T10:00:00Z'), limit: 10 })).toEqual(['C', 'B']);
      expect(await ids({ to: new Date('2026-01-02T10:00:00Z'), limit: 10 })).toEqual(['A']);
      expect(await ids({ organisationId: 'o1', from: new Date('2026-01-01T12:00:00Z'), limit: 10 })).toEqual(['B']);
    });

    it('pages newest first without skipping or repeating events in the same millisecond', async () => {
      const log = await setup();
      for (const id of ['e1', 'e2', 'e3', 'e4', 'e5']) await log.record(event(id, '2026-01-01T10:00:00Z'));
      await log.record(event('e0', '2026-01-01T09:00:00Z'));
      const seen: string[] = [];
      let after: AuditEvent | undefined;
      for (;;) {
        const page = await log.query({ limit: 2, ...(after ? { after } : {}) });
        if (!page.length) break;
        seen.push(...page.map((e) => e.id));
        after = page.at(-1);
      }
      expect(seen).toEqual(['e5', 'e4', 'e3', 'e2', 'e1', 'e0']);
    });
  });
}

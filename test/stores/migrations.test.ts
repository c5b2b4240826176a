import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Connection } from 'mongoose';
import { randomToken } from '../../src/shared/ids.ts';
import { createMongoConnection } from '../../src/stores/mongo/connection.ts';
import { applyMigrations } from '../../src/stores/mongo/migrations/apply-migrations.ts';
import type { Migration } from '../../src/stores/mongo/migrations/migration.ts';
import { adminSlotByOrganisation } from '../../src/stores/mongo/migrations/0002-admin-slot-by-organisation.ts';
import { MIGRATIONS } from '../../src/stores/mongo/migrations/all.ts';
import { startMongo } from '../support/mongo.ts';

// The rules of the migration runner (docs/decisions/0025), with made-up migrations on a real MongoDB-protocol server.
let server: Awaited<ReturnType<typeof startMongo>>;
const connections: Connection[] = [];
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

beforeAll(async () => {
  server = await startMongo();
}, 30_000);
afterAll(async () => {
  for (const c of connections) await c.close();
  await server.stop();
});

/** `count` connections to one new database: as many runs of `npm run db:migrate` as there are connections. */
async function database(count = 1) {
  const uri = server.uri.replace(/\/[^/]*$/, `/runner-${randomToken(6).replace(/[^A-Za-z0-9]/g, 'x')}`);
  return Promise.all(
    Array.from({ length: count }, async () => {
      const connection = createMongoConnection(uri, silent);
      connections.push(connection);
      return connection.asPromise();
    }),
  );
}

/** A migration that counts its runs, taking `ms` to apply. */
function counted(id: string, ms = 0, order?: string[]) {
  const migration = {
    runs: 0,
    id,
    description: `test ${id}`,
    async up() {
      migration.runs += 1;
      order?.push(`${id} start`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      order?.push(`${id} end`);
    },
  } satisfies Migration & { runs: number };
  return migration;
}

describe('applying migrations', () => {
  it('applies each once, in order, when two runs start together; the later one waits for the earlier', async () => {
    const [a, b] = await database(2);
    const order: string[] = [];
    const migrations = [counted('0001-slow', 600, order), counted('0002-after', 0, order)];
    const lines: string[][] = [[], []];
    const applied = await Promise.all([
      applyMigrations(a!, migrations, { log: (line) => lines[0]!.push(line), pollMs: 20 }),
      applyMigrations(b!, migrations, { log: (line) => lines[1]!.push(line), pollMs: 20 }),
    ]);
    expect(migrations.map((m) => m.runs)).toEqual([1, 1]);
    expect(order).toEqual(['0001-slow start', '0001-slow end', '0002-after start', '0002-after end']);
    expect(applied.flat().sort()).toEqual(['0001-slow', '0002-after']);
    expect(lines.flat().some((line) => line.startsWith('waiting for 0001-slow, which '))).toBe(true);
  });

  it('records nothing for a migration that fails, so the next run applies it', async () => {
    const [db] = await database();
    let fail = true;
    const flaky: Migration = {
      id: '0001-flaky',
      description: 'fails the first time',
      async up() {
        if (fail) throw new Error('disk full');
      },
    };
    const later = counted('0002-later');
    await expect(applyMigrations(db!, [flaky, later], { log: () => undefined })).rejects.toThrow(
      '0001-flaky failed, nothing recorded (run again once fixed): disk full',
    );
    expect(later.runs).toBe(0);
    expect(await db!.db!.collection('migrations').countDocuments()).toBe(0);

    fail = false;
    expect(await applyMigrations(db!, [flaky, later], { log: () => undefined })).toEqual(['0001-flaky', '0002-later']);
    const lines: string[] = [];
    expect(await applyMigrations(db!, [flaky, later], { log: (line) => lines.push(line) })).toEqual([]);
    expect(lines).toEqual(['nothing to do: the 2 migration(s) of this release are applied']);
  });

  it('gives up on a claim that stays unapplied, naming the record to remove', async () => {
    const [db] = await database();
    await db!.db!.collection<{ _id: string }>('migrations').insertOne({
      _id: '0001-stuck',
      state: 'applying',
      by: 'gone-host:123',
      startedAt: new Date('2026-01-01T00:00:00Z'),
    } as { _id: string });
    const stuck = counted('0001-stuck');
    await expect(applyMigrations(db!, [stuck], { log: () => undefined, waitMs: 100, pollMs: 20 })).rejects.toThrow(
      "0001-stuck has been applying since 2026-01-01T00:00:00.000Z (gone-host:123). If that run is gone, remove its claim (db.migrations.deleteOne({ _id: '0001-stuck', state: 'applying' })) and run again.",
    );
    expect(stuck.runs).toBe(0);
  });

  it('refuses migrations whose ids do not ascend', async () => {
    const [db] = await database();
    await expect(
      applyMigrations(db!, [counted('0002-b'), counted('0001-a')], { log: () => undefined }),
    ).rejects.toThrow('migration ids must ascend: 0001-a comes after 0002-b');
  });
});

describe('0002-admin-slot-by-organisation', () => {
  it('replaces the adminSlot index of a database from 0.1.0 with one led by organisationId, keeping one administrator per organisation', async () => {
    const [db] = await database();
    const profiles = db!.db!.collection('profiles');
    // What 0.1.0 built, with an organisation's administrator on record.
    await profiles.createIndex({ adminSlot: 1 }, { unique: true });
    const profile = (id: string, organisationId: string, role: string) => ({
      _id: id,
      organisationId,
      email: `${id}@example.com`,
      displayName: id,
      role,
      status: 'active',
      adminSlot: role === 'administrator' ? `org:${organisationId}` : `profile:${id}`,
    });
    await profiles.insertOne(profile('p-admin', 'org-a', 'administrator') as never);

    const lines: string[] = [];
    expect(await applyMigrations(db!, MIGRATIONS, { log: (line) => lines.push(line) })).toEqual([
      '0001-indexes',
      '0002-admin-slot-by-organisation',
    ]);
    const keys = (await profiles.indexes()).map((index) => index.key);
    expect(keys).not.toContainEqual({ adminSlot: 1 });
    expect(await profiles.indexes()).toContainEqual(
      expect.objectContaining({ key: { organisationId: 1, adminSlot: 1 }, unique: true }),
    );
    expect(lines).toContain('  profiles: dropped adminSlot_1, kept organisationId_1_adminSlot_1');
    // Still one administrator per organisation; another organisation has its own.
    await expect(profiles.insertOne(profile('p-second', 'org-a', 'administrator') as never)).rejects.toMatchObject({
      code: 11000,
    });
    await profiles.insertOne(profile('p-other', 'org-b', 'administrator') as never);

    // Run again (a retry after a failure part-way): nothing left to drop, nothing broken.
    const again: string[] = [];
    await adminSlotByOrganisation.up(db!, (line) => again.push(line));
    expect(again).toContain('  profiles: no adminSlot_1 index to drop');
  }, 60_000);
});

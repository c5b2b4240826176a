import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { randomToken } from '../../src/shared/ids.ts';
import { startMongo } from '../support/mongo.ts';
import { nodeChildEnv } from '../support/node-child.ts';

// `npm run db:migrate` as an operator runs it (`node scripts/migrate-database.ts`), against a real MongoDB-protocol
// server, each test on a database of its own.
const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'migrate-database.ts');
let server: Awaited<ReturnType<typeof startMongo>>;

beforeAll(async () => {
  server = await startMongo();
}, 30_000);
afterAll(async () => {
  await server.stop();
});

const freshUri = () => server.uri.replace(/\/[^/]*$/, `/migrate-${randomToken(6).replace(/[^A-Za-z0-9]/g, 'x')}`);

function migrate(uri: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [SCRIPT], {
    env: { ...nodeChildEnv(), MONGODB_URI: uri },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

async function inDatabase<T>(uri: string, read: (db: mongoose.mongo.Db) => Promise<T>): Promise<T> {
  const connection = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 2000 }).asPromise();
  try {
    return await read(connection.db!);
  } finally {
    await connection.close();
  }
}

const records = (uri: string) => inDatabase(uri, (db) => db.collection('migrations').find().toArray());

describe('npm run db:migrate', () => {
  it('builds the indexes on a new database and records the migration; a second run has nothing to do', async () => {
    const uri = freshUri();
    const first = await migrate(uri);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain('applying 0001-indexes');
    expect(first.stdout).toMatch(/applied 0001-indexes in \d+ ms/);
    const applied = await records(uri);
    expect(applied).toEqual(
      ['0001-indexes', '0002-admin-slot-by-organisation'].map((_id) => ({
        _id,
        state: 'applied',
        by: expect.any(String),
        startedAt: expect.any(Date),
        appliedAt: expect.any(Date),
      })),
    );
    // The unique index that keeps one organisation per account number is there.
    const indexes = await inDatabase(uri, (db) => db.collection('organisations').indexes());
    expect(indexes).toContainEqual(expect.objectContaining({ key: { accountNumber: 1 }, unique: true }));

    const second = await migrate(uri);
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(second.stdout).toContain('nothing to do');
    expect(second.stdout).not.toContain('applying');
    expect(await records(uri)).toEqual(applied);
  }, 60_000);

  it('applies a migration once when two runs start together', async () => {
    const uri = freshUri();
    const runs = await Promise.all([migrate(uri), migrate(uri)]);
    expect(runs.map((run) => run.code)).toEqual([0, 0]);
    expect(runs.filter((run) => run.stdout.includes('applying 0001-indexes'))).toHaveLength(1);
    expect(await records(uri)).toHaveLength(2);
  }, 60_000);

  it('says what it needs without MONGODB_URI (exit 2)', async () => {
    const run = await migrate('');
    expect(run).toEqual({ code: 2, stdout: '', stderr: 'usage: MONGODB_URI=… npm run db:migrate\n' });
  }, 30_000);
});

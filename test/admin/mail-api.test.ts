import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminApi, commandLineOf } from '../support/admin-api.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { startSmtp, type SmtpCapture } from '../support/smtp.ts';
import { waitUntil } from '../support/wait.ts';

// Failed mail for operators: a real SMTP server that refuses every connection (421, try later) until the test says
// it is fixed; the broker gives up after two attempts, and the admin API and the command line send the mail again.
const ROOT = { id: 'root-admin', secret: 'root-admin-secret-0123456789abcdefghij' };
const ERIN = 'erin.evans@contoso.example';
const HENRY = 'henry.hill@proseware.example';

let smtp: SmtpCapture;
let broker: TestBroker;
let admin: ReturnType<typeof adminApi>;
let smtpDown = true;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  smtp = await startSmtp(0, { refuseConnection: () => (smtpDown ? 421 : undefined) });
  broker = await startBroker({
    admin: { clientId: ROOT.id, clientSecret: ROOT.secret },
    mail: { smtpUrl: smtp.url, retry: { attempts: 2, baseDelayMs: 20, maxDelayMs: 50 }, timeoutMs: 2000 },
  });
  admin = adminApi(broker.issuer, ROOT);
  for (const area of ['directory', 'support', 'events']) tokens[area] = await admin.token(`admin:${area}`);
});
afterAll(async () => {
  await broker.close();
  await smtp.close();
});

const support = (method: string, path: string, body?: unknown) => admin.call(method, path, tokens.support, body);

type FailedMail = { id: string; reference: string; kind: string; attempts: number; last_error: string };
const failedMail = async () => (await support('GET', '/mail/failed')).body!.failed as FailedMail[];

describe('failed mail', () => {
  it('answers without a token 401, with another area’s token 403, for an unknown id 404, all JSON', async () => {
    for (const [method, path] of [
      ['GET', '/mail/failed'],
      ['POST', '/mail/failed/requeue'],
      ['POST', '/mail/failed/some-id/requeue'],
    ] as const) {
      const none = await admin.call(method, path, undefined);
      expect({ status: none.status, error: none.body!.error }).toEqual({ status: 401, error: 'admin_token_missing' });
      for (const area of ['directory', 'events']) {
        const other = await admin.call(method, path, tokens[area]);
        expect({ status: other.status, error: other.body!.error }).toEqual({
          status: 403,
          error: 'insufficient_scope',
        });
      }
    }
    const unknown = await support('POST', '/mail/failed/no-such-mail/requeue');
    expect({ status: unknown.status, error: unknown.body!.error }).toEqual({ status: 404, error: 'mail_not_found' });
  });

  it('lists mail that failed every attempt and sends it again, one by the API and the rest by the command line', async () => {
    for (const profile of ['prf-erin-contoso', 'prf-henry-proseware'])
      expect((await support('POST', `/support/profiles/${profile}/invitations`, {})).status).toBe(201);
    await waitUntil(async () => (await failedMail()).length === 2, 20_000, 'both invitations failed');

    const listed = await support('GET', '/mail/failed');
    expect(listed.body!.pending).toBe(0);
    const failed = listed.body!.failed as FailedMail[];
    for (const mail of failed) expect(mail).toMatchObject({ kind: 'association-invitation', attempts: 2 });
    // What operators see names the message by its reference, never by its addresses.
    expect(JSON.stringify(failed)).not.toMatch(/contoso\.example|proseware\.example/);

    smtpDown = false;
    const first = failed[0]!;
    const requeued = await support('POST', `/mail/failed/${first.id}/requeue`);
    expect(requeued.status).toBe(200);
    expect(requeued.body!.requeued).toEqual([expect.objectContaining({ id: first.id, reference: first.reference })]);
    await smtp.waitFor(() => smtp.messages.length === 1, 20_000);
    expect((await failedMail()).map((m) => m.id)).toEqual([failed[1]!.id]);
    const again = await support('POST', `/mail/failed/${first.id}/requeue`);
    expect({ status: again.status, error: again.body!.error }).toEqual({ status: 404, error: 'mail_not_found' });

    const cli = commandLineOf(broker);
    const listing = await cli('mail', 'failed');
    expect(listing.exitCode).toBe(0);
    expect(listing.stdout).toContain(failed[1]!.id);
    expect(listing.stdout).toContain(failed[1]!.reference);
    expect((await cli('mail', 'requeue')).exitCode).toBe(2);
    const all = await cli('mail', 'requeue', '--all');
    expect(all).toMatchObject({ exitCode: 0, stdout: `requeued 1: ${failed[1]!.id} (${failed[1]!.reference})\n` });
    await smtp.waitFor(() => smtp.messages.length === 2, 20_000);
    expect(smtp.to(ERIN).length + smtp.to(HENRY).length).toBe(2);
    expect((await cli('mail', 'failed')).stdout).toContain('(none)');
    expect((await cli('mail', 'requeue', '--all')).stdout).toBe('no failed mail to requeue\n');

    const audited = await broker.services.audit.query({ action: 'mail.requeued', limit: 10 });
    expect(audited.map((e) => [e.actor, e.details?.reference]).sort()).toEqual(
      [
        [`admin:${ROOT.id}`, first.reference],
        ['operator:ops', failed[1]!.reference],
      ].sort(),
    );
  }, 60_000);
});

import { request } from 'node:http';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { ADMIN_API_PREFIX } from '../../src/http/routes/admin-api.ts';
import { adminApi } from '../support/admin-api.ts';
import { spawnBroker } from '../support/process-broker.ts';

// The broker in a process of its own: a broker sharing the test's event loop would hold up the health checks the test
// sends as much as it holds up their answers, and nothing could be seen.
const ROOT = { id: 'root-admin', secret: 'root-admin-secret-0123456789abcdefghij' };
let broker: Awaited<ReturnType<typeof spawnBroker>>;
beforeAll(async () => {
  broker = await spawnBroker({ admin: { clientId: ROOT.id, clientSecret: ROOT.secret }, demo: { enabled: false } });
  // Beyond the 60 s a broker process is given to come up, so a slow start fails with what the process printed.
}, 90_000);
afterAll(() => broker?.stop());

/** Posts an import with node:http rather than fetch: the test must know when the whole file has been handed over. */
function postImport(url: string, token: string, csv: string, progress: { uploaded: boolean; answered: boolean }) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' } },
      (res) => {
        // Answered when the report starts to arrive (a 50,000-row report takes a while to come in).
        progress.answered = true;
        let body = '';
        res
          .setEncoding('utf8')
          .on('data', (chunk: string) => (body += chunk))
          .on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
    req.end(csv, () => (progress.uploaded = true));
  });
}

it("keeps answering /healthz while a 50,000-row import is checked: health checks are answered before the import's report", async () => {
  const token = await adminApi(broker.issuer, ROOT).token('admin:directory');
  // The largest file an import takes: 5,000 organisations of ten profiles each.
  const rows = Array.from(
    { length: 50_000 },
    (_, i) =>
      `C-${800_000 + Math.floor(i / 10)},Org ${Math.floor(i / 10)},customer,person.${i}@org${Math.floor(i / 10)}.example,Person ${i}`,
  );
  const csv = ['account_number,organisation_name,kind,email,display_name', ...rows].join('\n');
  const progress = { uploaded: false, answered: false };
  const imported = postImport(
    `${broker.issuer}${ADMIN_API_PREFIX}/directory/imports?dry_run=true`,
    token,
    csv,
    progress,
  );

  // A health check every 20 ms for as long as the import takes, each on its own (a load balancer does not wait for one
  // answer before asking again). Those sent after the upload wait on the broker alone: had it held its event loop
  // while checking the file, they would all be answered after its report.
  const checks: { afterUpload: boolean; beforeReport?: boolean; ms?: number; failure?: string }[] = [];
  const inFlight: Promise<void>[] = [];
  const timer = setInterval(() => {
    const check: (typeof checks)[number] = { afterUpload: progress.uploaded };
    const sent = performance.now();
    checks.push(check);
    inFlight.push(
      fetch(`${broker.issuer}/healthz`).then(
        (r) => {
          Object.assign(
            check,
            { beforeReport: !progress.answered, ms: performance.now() - sent },
            r.status === 200 ? {} : { failure: String(r.status) },
          );
        },
        (err: Error) => {
          check.failure = `${err.message} (${String((err.cause as Error)?.message)})`;
        },
      ),
    );
  }, 20);
  const { status, body } = await imported;
  clearInterval(timer);
  await Promise.all(inFlight);
  expect(status).toBe(200);
  expect(JSON.parse(body).rows).toMatchObject({ total: 50_000, created: 50_000, rejected: 0 });

  const during = checks.filter((c) => c.afterUpload);
  const inTime = during.filter((c) => c.beforeReport && !c.failure);
  const ms = during
    .filter((c) => c.ms !== undefined)
    .map((c) => c.ms!)
    .sort((a, b) => a - b);
  // The figure worth knowing; what the test asserts is the order of the answers, not how long they took.
  // eslint-disable-next-line no-console -- printed for the person running the test, not asserted on (timing varies with load)
  console.log(
    `/healthz during a 50,000-row import: ${during.length} sent after the upload, ${inTime.length} answered before the report; latency median ${ms[ms.length >> 1]?.toFixed(1)} ms, max ${ms.at(-1)?.toFixed(1)} ms`,
  );
  expect(during.filter((c) => c.failure).map((c) => c.failure)).toEqual([]);
  expect({ sent: during.length > 0, mostAnsweredBeforeReport: inTime.length >= during.length / 2 }).toEqual({
    sent: true,
    mostAnsweredBeforeReport: true,
  });
}, 120_000);

it('refuses a CSV the parser cannot read, or one over 50,000 rows, with a 400, and the broker keeps running', async () => {
  const api = adminApi(broker.issuer, ROOT);
  const token = await api.token('admin:directory');
  const header = 'account_number,organisation_name,kind,email,display_name\n';
  // A stray quote fails the parser part-way through a large file, while later slices wait for their turn.
  const rows = Array.from({ length: 3000 }, (_, i) => `C-${i},Org ${i},customer,p${i}@org.example,Person ${i}`).join(
    '\n',
  );
  for (const csv of [
    `${header}${rows}\n"x"y,2\n${rows}`,
    header + Array.from({ length: 50_001 }, (_, i) => `C-${i},Org,customer,p${i}@org.example,P`).join('\n'),
  ]) {
    const response = await api.call('POST', '/directory/imports?dry_run=true', token, csv, {
      'content-type': 'text/csv',
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'import_unreadable' });
    expect((await fetch(`${broker.issuer}/healthz`)).status).toBe(200);
  }
  expect(broker.output()).not.toMatch(/unhandled|UnhandledPromiseRejection/i);
});

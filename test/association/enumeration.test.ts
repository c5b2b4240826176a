import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser, type Page } from '../support/browser.ts';
import { isolatedStoresEnv, onSharedStores, startBroker, type TestBroker } from '../support/broker.ts';
import { authorize, signInUpstream } from '../support/flows.ts';
import { createPortal } from '../support/portal.ts';
import { spawnBroker } from '../support/process-broker.ts';
import { startSmtp, type SmtpCapture } from '../support/smtp.ts';
import { settled } from '../support/wait.ts';

let smtp: SmtpCapture;
// Two brokers, alike but for `association.unknownAddressEmail`: an unknown address gets an email from one of them.
const brokers: Record<'off' | 'on', { broker: TestBroker; browser: Browser; emailPage: Page }> = {} as never;

beforeAll(async () => {
  smtp = await startSmtp();
  const generous = { points: 100_000, windowSeconds: 3600 };
  for (const setting of ['off', 'on'] as const) {
    const broker = await startBroker({
      mail: { smtpUrl: smtp.url, retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 } },
      association: {
        resendCooldownSeconds: 0,
        unknownAddressEmail: setting === 'on',
        limits: { perIdentity: generous, perIp: generous, perRecipient: generous, perRecipientTotal: generous },
      },
    });
    const browser = new Browser();
    const { page } = await authorize(browser, await createPortal(broker.issuer));
    brokers[setting] = { broker, browser, emailPage: await signInUpstream(browser, page, 'dave') };
  }
});
afterAll(async () => {
  for (const { broker } of Object.values(brokers)) await broker.close();
  await smtp.close();
});

/** POST the address as the form does; returns the raw response and the page it leads to. */
async function submit({ browser, emailPage }: (typeof brokers)['off'], email: string) {
  const action = new URL(emailPage.$('form[action$="/associate"]').attr('action')!, emailPage.url).href;
  const body = new URLSearchParams({ csrf: emailPage.$('input[name="csrf"]').attr('value')!, email });
  const started = process.hrtime.bigint();
  const response = await browser.request(action, { method: 'POST', body });
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  const raw = { status: response.status, headers: headerMap(response.headers), body: await response.text() };
  const page = await browser.go(new URL(response.headers.get('location')!, action).href);
  return { raw, page: { status: page.status, headers: headerMap(page.headers), body: page.html }, elapsedMs };
}

function headerMap(headers: Headers) {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    // Every response has its own request id, whatever the address: the same for all is that it is a new one.
    if (key === 'x-request-id') out[key] = /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/.test(value) ? 'new id' : value;
    else if (key !== 'date') out[key] = value;
  });
  return out;
}

const normalise = (text: string, email: string) => text.split(email).join('ADDRESS');

// Same-length addresses keep Content-Length comparable too.
const CASES = {
  known: 'erin.evans@contoso.example',
  unknown: 'nina.novak@contoso.example',
  ineligible: 'gina.green@contoso.example',
  alreadyAssociated: 'alice.andersen@contoso.example',
  unknownLong: 'zack.zimmerman@contoso.example',
};

describe('the "check your email" response', () => {
  it.each(['off', 'on'] as const)(
    'is identical in status, headers and body for known, unknown, ineligible and already-associated addresses (unknown-address email %s)',
    async (setting) => {
      const { broker } = brokers[setting];
      const subjects = (address: string) => smtp.to(address).map((m) => m.subject ?? '');
      const before = Object.fromEntries(Object.values(CASES).map((email) => [email, subjects(email).length]));
      const received = (address: string) => subjects(address).slice(before[address]);
      const results: Record<string, Awaited<ReturnType<typeof submit>> & { email: string }> = {};
      for (const [name, email] of Object.entries(CASES)) {
        results[name] = { ...(await submit(brokers[setting], email)), email };
        await settled(broker.services);
      }
      const view = (r: (typeof results)[string]) => ({
        raw: { ...r.raw, body: normalise(r.raw.body, r.email) },
        page: {
          ...r.page,
          body: normalise(r.page.body, r.email),
          headers: { ...r.page.headers, 'content-length': 'n/a' },
        },
      });
      expect(results.known!.raw.status).toBe(303);
      expect(results.known!.page.status).toBe(200);
      expect(view(results.unknown!)).toEqual(view(results.known!));
      expect(view(results.ineligible!)).toEqual(view(results.known!));
      expect(view(results.alreadyAssociated!)).toEqual(view(results.unknownLong!));
      expect(view(results.alreadyAssociated!)).toEqual(view(results.known!));
      expect(results.known!.page.headers['content-length']).toBe(results.unknown!.page.headers['content-length']);
      // …while the directory did act on each address, by email only: links, the reason why not, and (when on) the
      // word that no profile is registered.
      expect(received(CASES.known)).toEqual(['Associate your sign-in with Contoso Pharmaceuticals (C-104233)']);
      expect(received(CASES.ineligible)).toEqual(['Why no sign-in link was sent for Test portal']);
      expect(received(CASES.unknown)).toEqual(setting === 'on' ? ['No profile is registered with this address'] : []);
      // Associated with another account: the link would move it, and says so.
      expect(received(CASES.alreadyAssociated)).toEqual([
        'Associate your sign-in with Contoso Pharmaceuticals (C-104233)',
      ]);
    },
  );

  it('takes the same time for known, unknown (told by email) and ineligible addresses over 200 interleaved samples each', async () => {
    // Measured against a broker in its own process, as a client elsewhere would see it: in-process, the broker's
    // background work would share (and so slow) the test's own event loop. With the unknown-address email on, each of
    // the three addresses makes the broker write: a link, the unknown-address word (once), the reasons why not.
    const generous = { points: 100_000, windowSeconds: 3600 };
    const stores = onSharedStores()
      ? isolatedStoresEnv(process.env.TEST_SHARED_REDIS_URL!, process.env.TEST_SHARED_MONGODB_URI!)
      : {};
    const remote = await spawnBroker(
      {
        association: {
          resendCooldownSeconds: 0,
          limits: { perIdentity: generous, perIp: generous, perRecipient: generous, perRecipientTotal: generous },
        },
      },
      { SMTP_URL: smtp.url, ASSOCIATION_UNKNOWN_ADDRESS_EMAIL: 'true', ...stores },
    );
    const samples: Record<'known' | 'unknown' | 'ineligible', number[]> = { known: [], unknown: [], ineligible: [] };
    try {
      const remoteBrowser = new Browser();
      const { page } = await authorize(remoteBrowser, await createPortal(remote.issuer));
      const form = await signInUpstream(remoteBrowser, page, 'dave');
      const action = new URL(form.$('form[action$="/associate"]').attr('action')!, form.url).href;
      const csrf = form.$('input[name="csrf"]').attr('value')!;
      // The whole exchange a browser makes: the POST and the page it is redirected to.
      const time = async (email: string) => {
        const started = process.hrtime.bigint();
        const response = await remoteBrowser.request(action, {
          method: 'POST',
          body: new URLSearchParams({ csrf, email }),
        });
        expect(response.status).toBe(303);
        await response.arrayBuffer();
        const page = await remoteBrowser.request(new URL(response.headers.get('location')!, action).href);
        expect(page.status).toBe(200);
        await page.arrayBuffer();
        return Number(process.hrtime.bigint() - started) / 1e6;
      };
      for (let i = 0; i < 20; i++) await time(CASES.alreadyAssociated);
      const sentBefore = smtp.to(CASES.known).length;
      const order = ['known', 'unknown', 'ineligible'] as const;
      for (let i = 0; i < 200; i++) {
        // Rotate the order so drift in the machine's load affects every side alike.
        for (let j = 0; j < order.length; j++) {
          const name = order[(i + j) % order.length]!;
          samples[name].push(await time(CASES[name]));
        }
      }
      await smtp.waitFor(() => smtp.to(CASES.known).length >= sentBefore + 200, 60_000);
      await smtp.waitFor(
        () => smtp.to(CASES.unknown).some((m) => (m.text ?? '').includes('No profile at any organisation')),
        60_000,
      );
    } finally {
      await remote.stop();
    }
    // Probability that a sample of one side is slower than one of the other (the Mann–Whitney statistic scaled to
    // 0..1): 0.5 when the two are indistinguishable; 0.4–0.6 is more than three standard errors either side.
    const slowerThan = (a: number[], b: number[]) => {
      let slower = 0;
      for (const x of a) for (const y of b) slower += x > y ? 1 : x === y ? 0.5 : 0;
      return slower / (a.length * b.length);
    };
    for (const [a, b] of [
      ['known', 'unknown'],
      ['ineligible', 'unknown'],
      ['ineligible', 'known'],
    ] as const) {
      const probability = slowerThan(samples[a], samples[b]);
      expect({
        [`${a} slower than ${b}`]: probability > 0.4 && probability < 0.6 ? 'indistinguishable' : probability,
      }).toEqual({
        [`${a} slower than ${b}`]: 'indistinguishable',
      });
    }
  }, 240_000);
});

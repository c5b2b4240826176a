import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser, type Page } from '../support/browser.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { authorize, signInUpstream } from '../support/flows.ts';
import { createPortal } from '../support/portal.ts';
import { spawnBroker } from '../support/process-broker.ts';
import { startSmtp, type SmtpCapture } from '../support/smtp.ts';
import { settled } from '../support/wait.ts';

let smtp: SmtpCapture;
let broker: TestBroker;
let browser: Browser;
let emailPage: Page;

beforeAll(async () => {
  smtp = await startSmtp();
  const generous = { points: 100_000, windowSeconds: 3600 };
  broker = await startBroker({
    mail: { smtpUrl: smtp.url, retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 } },
    association: {
      resendCooldownSeconds: 0,
      limits: { perIdentity: generous, perIp: generous, perRecipient: generous, perRecipientTotal: generous },
    },
  });
  browser = new Browser();
  const portal = await createPortal(broker.issuer);
  const { page } = await authorize(browser, portal);
  emailPage = await signInUpstream(browser, page, 'dave');
});
afterAll(async () => {
  await broker.close();
  await smtp.close();
});

/** POST the address as the form does; returns the raw response and the page it leads to. */
async function submit(email: string) {
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
    if (key !== 'date') out[key] = value;
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
  it('is identical in status, headers and body for known, unknown, ineligible and already-associated addresses', async () => {
    const results: Record<string, Awaited<ReturnType<typeof submit>> & { email: string }> = {};
    for (const [name, email] of Object.entries(CASES)) {
      results[name] = { ...(await submit(email)), email };
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
    // …while the directory did act on the known address: an email went out.
    expect(smtp.to(CASES.known).length).toBeGreaterThan(0);
    expect(smtp.to(CASES.unknown)).toHaveLength(0);
  });

  const known: number[] = [];
  const unknown: number[] = [];
  it('takes the same time for a known and an unknown address over 200 interleaved samples', async () => {
    // Measured against a broker in its own process, as a client elsewhere would see it: in-process, the broker's
    // background work would share (and so slow) the test's own event loop.
    const generous = { points: 100_000, windowSeconds: 3600 };
    const remote = await spawnBroker(
      {
        association: {
          resendCooldownSeconds: 0,
          limits: { perIdentity: generous, perIp: generous, perRecipient: generous, perRecipientTotal: generous },
        },
      },
      { SMTP_URL: smtp.url },
    );
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
      for (let i = 0; i < 20; i++) await time(CASES.unknown);
      const sentBefore = smtp.to(CASES.known).length;
      for (let i = 0; i < 200; i++) {
        // Alternate the order so drift in the machine's load affects both sides alike.
        if (i % 2) {
          known.push(await time(CASES.known));
          unknown.push(await time(CASES.unknown));
        } else {
          unknown.push(await time(CASES.unknown));
          known.push(await time(CASES.known));
        }
      }
      await smtp.waitFor(() => smtp.to(CASES.known).length >= sentBefore + 200, 60_000);
    } finally {
      await remote.stop();
    }
    // Probability that a known-address sample is slower than an unknown one (the Mann–Whitney statistic scaled
    // to 0..1): 0.5 when the two are indistinguishable; 0.4–0.6 is more than three standard errors either side.
    let slower = 0;
    for (const k of known) for (const u of unknown) slower += k > u ? 1 : k === u ? 0.5 : 0;
    const probability = slower / (known.length * unknown.length);
    expect(probability).toBeGreaterThan(0.4);
    expect(probability).toBeLessThan(0.6);
  }, 120_000);
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser, type Page } from '../support/browser.ts';
import { startBroker, TEST_PORTAL, type TestBroker } from '../support/broker.ts';
import { createPortal, type Portal } from '../support/portal.ts';
import { startRogueUpstream } from '../support/rogue-upstream.ts';
import { linkIn, startSmtp, type SmtpCapture } from '../support/smtp.ts';
import { settled } from '../support/wait.ts';
import { reportFigure } from '../support/figures.ts';

// Strangers are accounts at a second upstream that signs in whoever the test names; the owner is one of them too, so
// that every requester sees the page of the same upstream.
let smtp: SmtpCapture;
let upstream: Awaited<ReturnType<typeof startRogueUpstream>>;
const brokers: TestBroker[] = [];

beforeAll(async () => {
  smtp = await startSmtp();
  upstream = await startRogueUpstream({
    clientId: 'broker-at-other',
    subject: 'nobody',
    email: 'someone@other.example',
    foreignIssuer: 'http://127.0.0.1:9/foreign',
  });
});
afterAll(async () => {
  for (const b of brokers) await b.close();
  await upstream.close();
  await smtp.close();
});

const OWNER_ADDRESS = 'erin.evans@contoso.example';
const PROFILE = 'prf-erin-contoso';

const PARTNERS_ONLY = {
  ...TEST_PORTAL,
  client_id: 'partners-only',
  client_name: 'Partners only',
  redirect_uris: ['https://partners-only.example/cb'],
  post_logout_redirect_uris: [],
  profile_kinds: ['partner'],
};

async function brokerWith(limits: Record<string, { points: number; windowSeconds: number }> = {}) {
  const broker = await startBroker({
    clients: [TEST_PORTAL, PARTNERS_ONLY],
    upstreams: [
      {
        id: 'other',
        name: 'Other account',
        issuer: upstream.issuer,
        clientId: 'broker-at-other',
        clientSecret: 'other-secret-0123456789',
        allowInsecureHttp: true,
      },
    ],
    mail: { smtpUrl: smtp.url, retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 }, timeoutMs: 2000 },
    // Default address limits (5 per account, 20 per address an hour); room for every requester's own limits.
    association: { resendCooldownSeconds: 0, limits: { perIp: { points: 100, windowSeconds: 3600 }, ...limits } },
  });
  brokers.push(broker);
  const mailbox = () => smtp.to(OWNER_ADDRESS).filter((m) => (m.text ?? '').includes(broker.issuer));
  return { broker, portal: await createPortal(broker.issuer), mailbox };
}

/** First login at the other upstream as `subject`, up to the "check your email" page for `email`. */
async function askAs(portal: Portal, subject: string, email: string): Promise<{ browser: Browser; sent: Page }> {
  upstream.state.subject = subject;
  const browser = new Browser();
  const { url } = await portal.authorizationUrl();
  const signIn = await browser.go(url);
  const emailPage = await browser.submit(
    signIn,
    'form[action$="/upstream"]',
    {},
    { submitter: 'button[value="other"]' },
  );
  expect(emailPage.$('h1').text()).toBe('Enter your registered email address');
  const sent = await browser.submit(emailPage, 'form[action$="/associate"]', { email });
  return { browser, sent };
}

/** Opens a link from the mailbox and signs in at the other upstream as `subject`. */
async function redeemAs(link: string, subject: string): Promise<Page> {
  upstream.state.subject = subject;
  const browser = new Browser();
  const landing = await browser.go(link);
  expect(landing.status).toBe(200);
  const form = landing.$('button[value="other"]').length ? { submitter: 'button[value="other"]' } : {};
  return browser.submit(landing, 'form[action="/associate/continue"]', {}, form);
}

// Per-interaction values (CSRF token, interaction id) and the resend countdown aside, a page is the same for everyone.
const normalised = (page: Page) =>
  page
    .$('body')
    .html()!
    .replace(/name="csrf" value="[^"]+"/g, '')
    .replace(/\/interaction\/[^/"]+/g, '/interaction/UID')
    .replace(/in \d+ seconds?/g, 'in N seconds')
    .replace(/data-countdown="\d+"/g, 'data-countdown="N"');

const accountsOf = (broker: TestBroker, subject: string) =>
  broker.services.redeem.associations.findByIdentity({ upstreamId: 'other', subject });

describe("strangers asking for someone else's address", () => {
  it("cannot lock the owner out: 20 strangers use up the address's budget, the owner still associates, the strangers never do", async () => {
    const { broker, portal, mailbox } = await brokerWith();
    const pages: string[] = [];
    for (let i = 1; i <= 20; i += 1) pages.push(normalised((await askAs(portal, `stranger-${i}`, OWNER_ADDRESS)).sent));
    const owner = await askAs(portal, 'erin-own-account', OWNER_ADDRESS);
    pages.push(normalised(owner.sent));
    expect(owner.sent.$('h1').text()).toBe('Check your email');
    expect(new Set(pages).size).toBe(1);

    await settled(broker.services);
    const received = mailbox();
    const heldBack = received.filter((m) => m.subject?.startsWith('Many requests'));
    // Twenty links, one per stranger, then the budget is spent: the owner's request gets the one held-back email.
    reportFigure(
      `messages at the address in the hour after 21 requests: ${received.length} (${received.length - heldBack.length} links, ${heldBack.length} held-back notice)`,
    );
    expect(received).toHaveLength(21);
    expect(heldBack).toHaveLength(1);
    expect(heldBack[0]!.text).toMatch(/21 requests asked us[\s\S]*we sent links for 20 of them and held back 1,/);

    // More requests in the same window add nothing to the mailbox.
    await askAs(portal, 'stranger-21', OWNER_ADDRESS);
    await askAs(portal, 'erin-own-account', OWNER_ADDRESS);
    await settled(broker.services);
    expect(mailbox()).toHaveLength(21);

    // The owner uses the held-back link with the account of their choice.
    const done = await redeemAs(linkIn(heldBack[0]!, broker.issuer), 'erin-own-account');
    expect(done.$('h1').text()).toBe('Your account is now associated');
    expect((await accountsOf(broker, 'erin-own-account')).map((a) => a.profileId)).toEqual([PROFILE]);
    for (let i = 1; i <= 21; i += 1) expect(await accountsOf(broker, `stranger-${i}`)).toEqual([]);

    // A stranger's link, even if it reached a stranger, no longer works: the association revoked it.
    const strangersLink = linkIn(
      received.find((m) => !m.subject?.startsWith('Many requests'))!,
      broker.issuer,
    );
    expect((await new Browser().go(strangersLink)).status).toBe(410);
    // Twenty-two upstream sign-ins and requests against real stores: a generous bound for a busy machine.
  }, 120_000);

  it("never supersede the owner's pending link: a stranger's request leaves it working", async () => {
    const { broker, portal, mailbox } = await brokerWith();
    await askAs(portal, 'erin-own-account', OWNER_ADDRESS);
    await smtp.waitFor(() => mailbox().length === 1);
    const ownersLink = linkIn(mailbox()[0]!, broker.issuer);
    await askAs(portal, 'stranger-1', OWNER_ADDRESS);
    await smtp.waitFor(() => mailbox().length === 2);

    const done = await redeemAs(ownersLink, 'erin-own-account');
    expect(done.$('h1').text()).toBe('Your account is now associated');
    expect((await accountsOf(broker, 'erin-own-account')).map((a) => a.profileId)).toEqual([PROFILE]);
    expect(await accountsOf(broker, 'stranger-1')).toEqual([]);
  });

  it("still supersedes one's own earlier link", async () => {
    const { broker, portal, mailbox } = await brokerWith();
    const first = await askAs(portal, 'erin-own-account', OWNER_ADDRESS);
    await smtp.waitFor(() => mailbox().length === 1);
    await first.browser.submit(first.sent, 'form[action$="/associate/resend"]');
    await smtp.waitFor(() => mailbox().length === 2);
    const [older, newer] = mailbox().map((m) => linkIn(m, broker.issuer));
    expect((await new Browser().go(older!)).status).toBe(410);
    expect((await redeemAs(newer!, 'erin-own-account')).$('h1').text()).toBe('Your account is now associated');
  });

  it("does not let requests through a portal that admits none of the address's profiles spend its budget", async () => {
    const { broker, portal, mailbox } = await brokerWith({ perRecipientTotal: { points: 1, windowSeconds: 3600 } });
    // The explanation names the demo portals that admit the profile (the broker's own address): it is in mailbox().
    const explanations = () => mailbox().filter((m) => m.subject === 'Why no sign-in link was sent for Partners only');
    const links = () => mailbox().filter((m) => m.subject?.startsWith('Associate your sign-in'));
    // Erin's profile is a customer's: asking through a partners-only portal sends no link and spends no link budget.
    // The mailbox hears why, under limits of their own: one explanation an hour, as the address's budget is one.
    const partners = await createPortal(broker.issuer, PARTNERS_ONLY);
    for (let i = 1; i <= 3; i += 1) await askAs(partners, `stranger-${i}`, OWNER_ADDRESS);
    await settled(broker.services);
    expect(links()).toHaveLength(0);
    expect(explanations()).toHaveLength(1);
    await askAs(portal, 'erin-own-account', OWNER_ADDRESS);
    await smtp.waitFor(() => links().length === 1);
    expect(links()[0]!.subject).toBe('Associate your sign-in with Contoso Pharmaceuticals (C-104233)');
  });
});

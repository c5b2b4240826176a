import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import * as cheerio from 'cheerio';
import { Browser } from '../support/browser.ts';
import { startBroker, TEST_PORTAL, type TestBroker } from '../support/broker.ts';
import { authorize, completeAssociation, requestAssociation, signIn, signInUpstream } from '../support/flows.ts';
import { createPortal, type Portal } from '../support/portal.ts';
import { linkIn, startSmtp, type SmtpCapture } from '../support/smtp.ts';
import { settled } from '../support/wait.ts';

let smtp: SmtpCapture;
let broker: TestBroker;
let portal: Portal;

beforeAll(async () => {
  smtp = await startSmtp();
});
// Each test gets its own broker (and so its own directory): associations made by one test never leak into another.
beforeEach(async () => {
  broker = await startBroker({
    mail: {
      smtpUrl: smtp.url,
      from: 'Broker <no-reply@broker.example>',
      retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 },
      timeoutMs: 2000,
    },
    support: { name: 'Dynamics support', email: 'help@broker.example' },
  });
  portal = await createPortal(broker.issuer);
});
afterEach(() => broker.close());
afterAll(() => smtp.close());

/** This test's broker again, without the resend cooldown: the same address can be asked for again at once. */
async function withoutResendCooldown() {
  await broker.close();
  broker = await startBroker({
    association: { resendCooldownSeconds: 0 },
    mail: { smtpUrl: smtp.url, retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 } },
  });
  portal = await createPortal(broker.issuer);
}

/** Link emails this test's broker sent to an address (the SMTP server is shared; the link's host tells them apart). */
const mailTo = (address: string) => smtp.to(address).filter((m) => (m.text ?? '').includes(broker.issuer));

describe('first login with one registered profile', () => {
  it('asks for the registered email, mails one link, and associates on re-authentication by the same account; the waiting tab carries on to the portal', async () => {
    const browser = new Browser();
    const { sent, emailPage, checks } = await requestAssociation(
      browser,
      portal,
      'erin',
      '  Erin.Evans@Contoso.example ',
    );
    expect(emailPage.text).toContain('It may be different from the address of your Demo consumer account');
    expect(emailPage.text).toContain('help@broker.example');

    expect(sent.status).toBe(200);
    expect(sent.$('h1').text()).toBe('Check your email');
    expect(sent.text).toContain('Erin.Evans@Contoso.example');
    expect(sent.text).toContain('junk');
    expect(sent.$('form[action$="/associate/resend"]').length).toBe(1);
    expect(sent.$('form[action$="/associate/change"]').length).toBe(1);
    expect(sent.$('script[src="/assets/wait-for-association.js"]').length).toBe(1);
    const statusUrl = `${broker.issuer}${sent.$('[data-association-status]').attr('data-association-status')}`;
    expect(JSON.parse((await browser.go(statusUrl, { headers: { accept: 'application/json' } })).html)).toEqual({
      ready: false,
    });

    await smtp.waitFor(() => mailTo('erin.evans@contoso.example').length === 1);
    const mail = mailTo('erin.evans@contoso.example')[0]!;
    expect(mail.subject).toBe('Associate your sign-in with Contoso Pharmaceuticals (C-104233)');
    expect(mail.from?.value[0]).toMatchObject({ name: 'Broker', address: 'no-reply@broker.example' });
    expect(mail.text).toContain('role: professional');
    // The account that asked, masked as the notice after the association names it.
    expect(mail.text).toContain('Someone signed in with the Demo consumer account e***e@outlook.example asked');
    expect(mail.html).toContain('<strong>e***e@outlook.example</strong>');
    expect(mail.text).toContain('If you did not ask for this, ignore this email');
    expect(mail.text).toMatch(/expires on [A-Z][a-z]+ \d{1,2}, \d{4} at \d{2}:\d{2} UTC/);
    expect(mail.html).toContain('<strong>Contoso Pharmaceuticals</strong>');
    const link = linkIn(mail, broker.issuer);
    // The link opens its pages in the email's language.
    expect(cheerio.load(String(mail.html))('a[href*="/associate/"]').attr('href')).toBe(`${link}?ui_locales=en`);
    expect(link.split('/associate/')[1]).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Still waiting: the sign-in does not move on before the link is used.
    const stillWaiting = await browser.go(sent.url, { stopAt: [portal.redirectUri] });
    expect(stillWaiting.$('h1').text()).toBe('Check your email');

    const success = await completeAssociation(new Browser(), link, 'erin');
    expect(success.status).toBe(200);
    expect(success.text).toContain(
      'Your Demo consumer account is now associated with your profile at Contoso Pharmaceuticals',
    );

    expect(JSON.parse((await browser.go(statusUrl, { headers: { accept: 'application/json' } })).html)).toEqual({
      ready: true,
    });
    const back = await browser.go(sent.url, { stopAt: [portal.redirectUri] });
    const tokens = await portal.redeem(back.stopped!, checks);
    expect(tokens.claims()).toMatchObject({
      sub: 'prf-erin-contoso',
      org_name: 'Contoso Pharmaceuticals',
      email: 'erin.evans@contoso.example',
    });

    const noticeFor = () =>
      smtp
        .to('erin.evans@contoso.example')
        .filter((m) => m.subject?.startsWith('A sign-in account') && m.text?.includes('e***e@outlook.example'));
    await smtp.waitFor(() => noticeFor().length === 1);
    const notice = noticeFor()[0]!;
    expect(notice.subject).toBe('A sign-in account was associated with your profile at Contoso Pharmaceuticals');
    expect(notice.text).toContain('e***e@outlook.example');
    expect(notice.text).toMatch(/quote reference [0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}/);
    expect(notice.text).not.toContain('erin.e@outlook.example');

    // Support finds both steps in the audit log under the references the two emails quote, with no link token.
    const quoted = (text = '') => /quote reference ([0-9A-F-]{14})/.exec(text)![1];
    const events = await broker.services.audit.query({ profileId: 'prf-erin-contoso', limit: 10 });
    // The sign-in the association led to is recorded after it.
    expect(events[0]).toMatchObject({
      action: 'sign_in.succeeded',
      profileId: 'prf-erin-contoso',
      clientId: 'test-portal',
    });
    expect(events.slice(1)).toEqual([
      expect.objectContaining({
        id: quoted(notice.text),
        action: 'association.created',
        outcome: 'success',
        actor: 'person:demo:demo-0005-erin',
        organisationId: 'org-contoso',
        clientId: 'test-portal',
        ip: '127.0.0.1',
      }),
      expect.objectContaining({
        id: quoted(mail.text),
        action: 'association.link_issued',
        outcome: 'success',
        actor: 'person:demo:demo-0005-erin',
        clientId: 'test-portal',
      }),
    ]);
    expect(JSON.stringify(events)).not.toContain(link.split('/associate/')[1]);
  });
});

describe('first login with two profiles on one address', () => {
  it('sends one email per profile, each naming its organisation, and both can be associated; then the person picks', async () => {
    const browser = new Browser();
    const { sent, checks } = await requestAssociation(browser, portal, 'frank', 'frank.fischer@fabrikam.example');
    await smtp.waitFor(() => mailTo('frank.fischer@fabrikam.example').length === 2);
    const mails = mailTo('frank.fischer@fabrikam.example');
    expect(mails.map((m) => m.subject).sort()).toEqual([
      'Associate your sign-in with Contoso Pharmaceuticals (C-104233)',
      'Associate your sign-in with Fabrikam Consulting (P-200871)',
    ]);
    for (const mail of mails) {
      expect((await completeAssociation(new Browser(), linkIn(mail, broker.issuer), 'frank')).text).toContain(
        'is now associated',
      );
    }
    const picker = await browser.go(sent.url, { stopAt: [portal.redirectUri] });
    expect(picker.$('h1').text()).toBe('Choose a profile');
    const back = await browser.submit(
      picker,
      'form[action$="/select"]',
      { profile: 'prf-frank-fabrikam' },
      { stopAt: [portal.redirectUri] },
    );
    expect((await portal.redeem(back.stopped!, checks)).claims()!.sub).toBe('prf-frank-fabrikam');
  });
});

describe('addresses that produce no link', () => {
  it('shows the same "check your email" page for an unknown address and sends nothing', async () => {
    const { sent } = await requestAssociation(new Browser(), portal, 'dave', 'nobody.known@contoso.example');
    expect(sent.status).toBe(200);
    expect(sent.$('h1').text()).toBe('Check your email');
    expect(sent.text).toContain('nobody.known@contoso.example');
    await settled(broker.services);
    expect(smtp.to('nobody.known@contoso.example')).toHaveLength(0);
  });

  it.each([
    ['a disabled profile', 'gina.green@contoso.example', 'This profile is disabled.'],
    [
      'an organisation whose contract expired (portal requires one)',
      'carol.chen@northwind.example',
      'The service contract of Northwind Traders ended on June 30, 2025',
    ],
  ])(
    'shows the same "check your email" page for %s and sends one email saying why, with no link',
    async (_case, email, why) => {
      const before = smtp.to(email).length;
      const { sent } = await requestAssociation(new Browser(), portal, 'dave', email);
      expect(sent.status).toBe(200);
      expect(sent.$('h1').text()).toBe('Check your email');
      expect(sent.text).toContain(email);
      await settled(broker.services);
      const received = smtp.to(email).slice(before);
      expect(received.map((m) => m.subject)).toEqual(['Why no sign-in link was sent for Test portal']);
      expect(received[0]!.text).toContain(why);
      expect(received[0]!.text).not.toContain('/associate/');
    },
  );
});

describe('the link', () => {
  async function freshLink(username: string, email: string) {
    const browser = new Browser();
    const { sent, checks } = await requestAssociation(browser, portal, username, email);
    await smtp.waitFor(() => mailTo(email).length > 0);
    return { browser, sent, checks, link: linkIn(mailTo(email).at(-1)!, broker.issuer) };
  }

  it('moves the token out of the URL before any page renders, and a GET changes nothing, even twice', async () => {
    const { link } = await freshLink('dave', 'bob.berg@fabrikam.example');
    const first = await fetch(link, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/associate');
    expect(first.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await first.text()).not.toContain(link.split('/associate/')[1]);

    const scanner = new Browser();
    const landing = await scanner.go(link);
    expect(landing.url).toBe(`${broker.issuer}/associate`);
    expect(landing.headers.get('referrer-policy')).toBe('no-referrer');
    expect(landing.html).not.toContain(link.split('/associate/')[1]);
    expect(landing.$('h1').text()).toMatch(/^Associate your sign-in with /);
    expect(landing.$('button').text()).toBe('Continue with Demo consumer account');
    expect((await scanner.go(link)).status).toBe(200);
    // Opened twice, still unused: the requester can complete it.
    expect((await completeAssociation(new Browser(), link, 'dave')).text).toContain('is now associated');
  });

  it('refuses a different upstream account: nothing is linked and the link stays usable for the right one', async () => {
    const { link } = await freshLink('dave', 'alice.andersen@contoso.example');
    const wrong = await completeAssociation(new Browser(), link, 'carol');
    expect(wrong.status).toBe(403);
    expect(wrong.$('h1').text()).toBe('Sign in with the account you used before');
    expect((await broker.services.redeem.associations.findByProfile('prf-alice-contoso'))!.subject).toBe(
      'demo-0001-alice',
    );
    expect((await completeAssociation(new Browser(), link, 'dave')).status).toBe(200);
    expect((await broker.services.redeem.associations.findByProfile('prf-alice-contoso'))!.subject).toBe(
      'demo-0004-dave',
    );
  });

  it('works once: a used link says so', async () => {
    const { link } = await freshLink('dave', 'erin.evans@contoso.example');
    expect((await completeAssociation(new Browser(), link, 'dave')).status).toBe(200);
    const again = await new Browser().go(link);
    expect(again.status).toBe(410);
    expect(again.text).toContain('This link has already been used');
  });

  it('is superseded by a newer link for the same profile', async () => {
    await withoutResendCooldown();
    const browser = new Browser();
    const { sent } = await requestAssociation(browser, portal, 'frank', 'frank.fischer@fabrikam.example');
    await smtp.waitFor(() => mailTo('frank.fischer@fabrikam.example').length === 2);
    const older = mailTo('frank.fischer@fabrikam.example');
    await browser.submit(sent, 'form[action$="/associate/resend"]');
    await smtp.waitFor(() => mailTo('frank.fischer@fabrikam.example').length === 4);
    const superseded = await new Browser().go(linkIn(older[0]!, broker.issuer));
    expect(superseded.status).toBe(410);
    expect(superseded.text).toContain('only the link in the newest email works');
  });

  it("refuses a forged continue without the landing page's token", async () => {
    const { link } = await freshLink('dave', 'erin.evans@contoso.example');
    const browser = new Browser();
    await browser.go(link);
    const forged = await browser.go(`${broker.issuer}/associate/continue`, {
      method: 'POST',
      body: new URLSearchParams({ csrf: 'forged' }),
    });
    expect(forged.status).toBe(403);
  });

  it('never writes a link token to the logs', async () => {
    const { link } = await freshLink('dave', 'erin.evans@contoso.example');
    // Paths that fail are logged: the token part must come out redacted.
    expect((await new Browser().go(`${link}/x`)).status).toBe(404);
    expect(broker.logs.some((l) => l.event === 'http.refused' && l.path === '/associate/[link]/x')).toBe(true);
    await completeAssociation(new Browser(), link, 'dave');
    await new Browser().go(link);
    const token = link.split('/associate/')[1]!;
    expect(JSON.stringify(broker.logs)).not.toContain(token);
    expect(JSON.stringify(broker.logs)).not.toContain(token.slice(0, 20));
  });
});

describe('resend', () => {
  it('is unavailable during the cooldown, with a page that says for how long, and sends nothing', async () => {
    const browser = new Browser();
    const { sent } = await requestAssociation(browser, portal, 'dave', 'erin.evans@contoso.example');
    const early = await browser.submit(sent, 'form[action$="/associate/resend"]');
    expect(early.status).toBe(429);
    expect(early.text).toMatch(/You can ask for another email in \d+ seconds/);
    // "Use another address" and the same address again is still a resend, and waits too.
    const form = await browser.submit(early, 'form[action$="/associate/change"]');
    const again = await browser.submit(form, 'form[action$="/associate"]', { email: 'Erin.Evans@contoso.example' });
    expect(again.status).toBe(429);
    // A different address (a typo fixed) is not held up.
    const other = await browser.submit(form, 'form[action$="/associate"]', { email: 'erin.e@contoso.example' });
    expect(other.status).toBe(200);
    await settled(broker.services);
    expect(mailTo('erin.evans@contoso.example')).toHaveLength(1);
  });

  it('confirms that the email was sent again', async () => {
    await withoutResendCooldown();
    const browser = new Browser();
    const { sent } = await requestAssociation(browser, portal, 'dave', 'erin.evans@contoso.example');
    expect(sent.text).not.toContain('again.');
    const resent = await browser.submit(sent, 'form[action$="/associate/resend"]');
    expect(resent.status).toBe(200);
    expect(resent.$('p.success[role=status]').text()).toBe(
      'We sent the email to erin.evans@contoso.example again. Open the newest one: it replaces the earlier ones.',
    );
    await settled(broker.services);
    expect(mailTo('erin.evans@contoso.example')).toHaveLength(2);
  });

  it('counts the cooldown down in the page language: one sentence per plural category, "#" for the number', async () => {
    const browser = new Browser();
    const { sent } = await requestAssociation(browser, portal, 'dave', 'erin.evans@contoso.example');
    const wait = sent.$('#resend-wait');
    expect(Number(wait.attr('data-countdown'))).toBeGreaterThan(0);
    expect(JSON.parse(wait.attr('data-templates')!)).toEqual({
      one: 'You can ask again in # second.',
      other: 'You can ask again in # seconds.',
    });
    expect(sent.$('button[aria-describedby="resend-wait"]').length).toBe(1);
  });

  it('says it is still waiting when the person presses "Continue" before following a link', async () => {
    const browser = new Browser();
    const { sent } = await requestAssociation(browser, portal, 'dave', 'erin.evans@contoso.example');
    expect(sent.text).not.toContain('not associated yet');
    const href = sent.$('p.hint a').attr('href')!;
    const waiting = await browser.go(new URL(href, broker.issuer).href, { stopAt: [portal.redirectUri] });
    expect(waiting.status).toBe(200);
    expect(waiting.$('h1').text()).toBe('Check your email');
    expect(waiting.$('p.alert[role=status]').text()).toBe(
      'Your account is not associated yet. Open the email, follow its link and sign in again; this page then carries on by itself.',
    );
  });

  it('lets a person whose session profile the portal does not admit associate another profile', async () => {
    const partnerOnly = {
      ...TEST_PORTAL,
      client_id: 'partner-only',
      redirect_uris: ['https://partners.example/cb'],
      post_logout_redirect_uris: [],
      profile_kinds: ['partner'],
    };
    await broker.close();
    broker = await startBroker({
      clients: [TEST_PORTAL, partnerOnly],
      mail: { smtpUrl: smtp.url, retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 } },
    });
    portal = await createPortal(broker.issuer);
    const browser = new Browser();
    await signIn(browser, portal, 'alice');
    const partners = await createPortal(broker.issuer, partnerOnly);
    const { page: refused } = await authorize(browser, partners);
    expect(refused.status).toBe(403);
    const form = await browser.submit(refused, 'form[action$="/associate/change"]');
    expect(form.$('h1').text()).toBe('Enter your registered email address');
    const sent = await browser.submit(form, 'form[action$="/associate"]', { email: 'frank.fischer@fabrikam.example' });
    expect(sent.$('h1').text()).toBe('Check your email');
    // Only the profile this portal admits (Fabrikam, a partner) gets a link.
    await smtp.waitFor(() => mailTo('frank.fischer@fabrikam.example').length === 1);
    await settled(broker.services);
    expect(mailTo('frank.fischer@fabrikam.example')[0]!.subject).toBe(
      'Associate your sign-in with Fabrikam Consulting (P-200871)',
    );
    expect(mailTo('frank.fischer@fabrikam.example')).toHaveLength(1);
  });
});

describe('after a re-association', () => {
  it("stops the previous account's session and refresh tokens from acting as the profile", async () => {
    {
      const isolated = broker;
      const p = portal;
      // Bob is signed in as his Contoso profile, with a refresh token.
      const bobBrowser = new Browser();
      const { url, checks } = await p.authorizationUrl();
      const bobPicker = await signInUpstream(bobBrowser, await bobBrowser.go(url), 'bob');
      const bobBack = await bobBrowser.submit(
        bobPicker,
        'form[action$="/select"]',
        { profile: 'prf-bob-contoso' },
        { stopAt: [p.redirectUri] },
      );
      const bobTokens = await p.redeem(bobBack.stopped!, checks);

      // Dave proves control of bob.berg@fabrikam.example and takes both profiles over.
      await requestAssociation(new Browser(), p, 'dave', 'bob.berg@fabrikam.example');
      await smtp.waitFor(() => mailTo('bob.berg@fabrikam.example').length === 2);
      for (const mail of mailTo('bob.berg@fabrikam.example')) {
        expect(mail.text).toContain('This profile is associated with another account now');
        await completeAssociation(new Browser(), linkIn(mail, isolated.issuer), 'dave');
      }

      await expect(p.refresh(bobTokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
      const silent = await bobBrowser.go((await p.authorizationUrl({ prompt: 'none' })).url, {
        stopAt: [p.redirectUri],
      });
      expect(new URL(silent.stopped!).searchParams.get('error')).toBe('login_required');
      const switching = await bobBrowser.go((await p.authorizationUrl({ prompt: 'select_account' })).url, {
        stopAt: [p.redirectUri],
      });
      expect(switching.$('h1').text()).toBe('Sign in to Test portal');
    }
  });
});

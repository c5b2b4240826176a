import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ParsedMail } from 'mailparser';
import { hashEmailChangeToken } from '../../src/account/email-change.ts';
import { Browser } from '../support/browser.ts';
import { consoleAs } from '../support/account.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { startSmtp, type SmtpCapture } from '../support/smtp.ts';

let smtp: SmtpCapture;
let broker: TestBroker;

beforeAll(async () => {
  smtp = await startSmtp();
  broker = await startBroker({ mail: { smtpUrl: smtp.url, retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 } } });
});
afterAll(async () => {
  await broker.close();
  await smtp.close();
});

/** Asks for `address` on the console's form, as the person would from their overview. */
async function askFor(browser: Browser, address: string) {
  const form = await browser.go(`${broker.issuer}/account/email`);
  expect(form.$('h1').text()).toBe('Change my registered email');
  return browser.submit(form, 'form[action="/account/email"]', { email: address });
}

/** The confirmation link in the newest mail to `address`, once it has arrived over SMTP. */
async function confirmationLinkTo(address: string): Promise<{ link: string; token: string; mail: ParsedMail }> {
  await smtp.waitFor(() => smtp.to(address).length > 0);
  const mail = smtp.to(address).at(-1)!;
  const match = new RegExp(`${broker.issuer}/account/email/confirm/([A-Za-z0-9_-]{43})`).exec(mail.text ?? '');
  if (!match) throw new Error(`no confirmation link in: ${mail.text}`);
  return { link: match[0], token: match[1]!, mail };
}

const emailOf = async (profileId: string) => (await broker.services.admin.directory.getProfile(profileId)).email;

describe('changing the registered email from the account console', () => {
  it('mails the new address; its link changes nothing when opened, and its button changes the email once', async () => {
    const { browser, page } = await consoleAs(broker.issuer, 'alice');
    expect(page.$('a[href="/account/email"]').text()).toBe('Change my registered email');
    const sent = await askFor(browser, 'Alice.New@Example.org');
    expect(sent.status).toBe(200);
    expect(sent.$('h1').text()).toBe('Check the new mailbox');
    expect(sent.text).toContain('alice.new@example.org');
    const reference = sent.$('.reference strong').text();
    expect(reference).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/);

    const { link, token, mail } = await confirmationLinkTo('alice.new@example.org');
    expect(mail.subject).toBe('Confirm your new email address for Contoso Pharmaceuticals (C-104233)');
    expect(mail.text).toContain(reference);

    // Opened in another browser, without a console session (the new mailbox may be read anywhere), twice: a mail
    // scanner's GETs change nothing, and the token leaves the URL before any page renders.
    const elsewhere = new Browser();
    for (let i = 0; i < 2; i += 1) {
      const opened = await elsewhere.request(link);
      expect(opened.status).toBe(303);
      expect(opened.headers.get('location')).toBe('/account/email/confirm');
      expect(opened.headers.get('referrer-policy')).toBe('no-referrer');
      const shown = await elsewhere.go(link);
      expect(shown.url).toBe(`${broker.issuer}/account/email/confirm`);
      expect(shown.$('h1').text()).toBe('Confirm your new registered email');
      expect(shown.text).toContain('alice.new@example.org');
      expect(shown.html).not.toContain(token);
      expect(shown.headers.get('cache-control')).toBe('no-store');
    }
    const cookie = elsewhere.setCookies.find((c) => c.startsWith('account_email_change='))!;
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toMatch(/path=\/account\/email\/confirm/i);
    expect(await elsewhere.cookie(broker.issuer, 'account_console')).toBeUndefined();
    expect(await emailOf('prf-alice-contoso')).toBe('alice.andersen@contoso.example');

    const confirmPage = await elsewhere.go(link);
    const confirmed = await elsewhere.submit(confirmPage, 'form[action="/account/email/confirm"]');
    expect(confirmed.status).toBe(200);
    expect(confirmed.$('h1').text()).toBe('Your registered email is now alice.new@example.org');
    const changedReference = confirmed.$('.reference strong').text();
    expect(await emailOf('prf-alice-contoso')).toBe('alice.new@example.org');

    // The old address is told, quoting the change's reference and not the new address in full.
    await smtp.waitFor(() => smtp.to('alice.andersen@contoso.example').some((m) => m.text?.includes(changedReference)));
    const notice = smtp.to('alice.andersen@contoso.example').find((m) => m.text?.includes(changedReference))!;
    expect(notice.subject).toBe('The email address of your profile at Contoso Pharmaceuticals was changed');
    expect(notice.text).not.toContain('alice.new@example.org');

    // The console session carries on, showing the new address.
    const overview = await browser.go(`${broker.issuer}/account`);
    expect(overview.text).toContain('alice.new@example.org');

    // The link again: used, 410, with a page that says so; and nothing changes.
    const again = await elsewhere.go(link);
    expect(again.status).toBe(410);
    expect(again.$('h1').text()).toBe('This link can no longer be used');
    expect(again.text).toContain('already used');
    // The cookie went with the confirmation: its form token alone confirms nothing.
    const formToken = confirmPage.$('input[name="csrf"]').val() as string;
    const replay = await new Browser().go(`${broker.issuer}/account/email/confirm`, {
      method: 'POST',
      body: new URLSearchParams({ csrf: formToken }),
    });
    expect(replay.status).toBe(404);

    // A link mangled by a mail client (one character too many) is refused, and logged with its path redacted.
    expect((await new Browser().go(`${link}x`)).status).toBe(404);
    // No log line holds the token or its hash.
    const logged = JSON.stringify(broker.logs);
    expect(logged).not.toContain(token);
    expect(logged).not.toContain(hashEmailChangeToken(token));
    expect(logged).toContain('/account/email/confirm/[link]');
  });

  it('refuses a forged confirmation (no form token, another scope’s token, another origin) and changes nothing', async () => {
    const { browser } = await consoleAs(broker.issuer, 'carol');
    await askFor(browser, 'carol.new@example.org');
    const { link } = await confirmationLinkTo('carol.new@example.org');
    const victim = new Browser();
    const page = await victim.go(link);
    const consoleToken = (await browser.go(`${broker.issuer}/account`)).$('input[name="csrf"]').first().val() as string;
    const post = (body: Record<string, string>, headers: Record<string, string> = {}) =>
      victim.go(`${broker.issuer}/account/email/confirm`, {
        method: 'POST',
        body: new URLSearchParams(body),
        headers,
      });
    expect((await post({})).status).toBe(400);
    expect((await post({ csrf: consoleToken })).status).toBe(403);
    const formToken = page.$('input[name="csrf"]').val() as string;
    expect((await post({ csrf: formToken }, { origin: 'https://attacker.example' })).status).toBe(403);
    // The link's form token is worth nothing without the link's cookie (a forged page in another browser).
    const stranger = await new Browser().go(`${broker.issuer}/account/email/confirm`, {
      method: 'POST',
      body: new URLSearchParams({ csrf: formToken }),
    });
    expect(stranger.status).toBe(404);
    expect(await emailOf('prf-carol-northwind')).toBe('carol.chen@northwind.example');

    const confirmed = await victim.submit(page, 'form[action="/account/email/confirm"]');
    expect(confirmed.$('h1').text()).toBe('Your registered email is now carol.new@example.org');
  });

  it('answers a malformed, unknown or superseded link with a page to act on (404, 410), never a 500', async () => {
    const { browser } = await consoleAs(broker.issuer, 'bob', 'prf-bob-fabrikam');
    const malformed = await new Browser().go(`${broker.issuer}/account/email/confirm/not-a-token`);
    expect(malformed.status).toBe(404);
    expect(malformed.text).toContain('This confirmation link is not valid');
    const unknown = await new Browser().go(`${broker.issuer}/account/email/confirm/${'A'.repeat(43)}`);
    expect(unknown.status).toBe(404);
    const withoutLink = await new Browser().go(`${broker.issuer}/account/email/confirm`);
    expect(withoutLink.status).toBe(404);

    await askFor(browser, 'bob.first@example.org');
    const first = await confirmationLinkTo('bob.first@example.org');
    await askFor(browser, 'bob.second@example.org');
    const superseded = await new Browser().go(first.link);
    expect(superseded.status).toBe(410);
    expect(superseded.text).toContain('A newer change of address was asked for');
    expect(await emailOf('prf-bob-fabrikam')).toBe('bob.berg@fabrikam.example');
  });

  it('shows the form again, with why, for an address it refuses: invalid, unchanged, taken, too many', async () => {
    const { browser } = await consoleAs(broker.issuer, 'bob', 'prf-bob-contoso');
    const invalid = await askFor(browser, 'not an address');
    expect(invalid.status).toBe(400);
    expect(invalid.$('#email-error').text()).toContain('That is not an email address we can use');
    expect(invalid.$('input[name="email"]').val()).toBe('not an address');
    const unchanged = await askFor(browser, 'BOB.BERG@fabrikam.example');
    expect(unchanged.status).toBe(400);
    expect(unchanged.$('#email-error').text()).toContain('already the registered address');
    const taken = await askFor(browser, 'erin.evans@contoso.example');
    expect(taken.status).toBe(409);
    expect(taken.$('#email-error').text()).toContain('Another profile at Contoso Pharmaceuticals already uses');
    expect(smtp.to('erin.evans@contoso.example')).toHaveLength(0);

    for (let i = 0; i < 4; i += 1) expect((await askFor(browser, `bob.try${i}@example.org`)).status).toBe(200);
    const tooMany = await askFor(browser, 'bob.try9@example.org');
    expect(tooMany.status).toBe(429);
    expect(tooMany.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(tooMany.$('#email-error').text()).toContain('too many times');
    expect(tooMany.$('form[action="/account/email"]').length).toBe(1);
    expect(await emailOf('prf-bob-contoso')).toBe('bob.berg@fabrikam.example');
  });

  it('refuses a request without the session’s form token, and sends a browser without a session to sign in', async () => {
    const { browser } = await consoleAs(broker.issuer, 'alice');
    const forged = await browser.go(`${broker.issuer}/account/email`, {
      method: 'POST',
      body: new URLSearchParams({ email: 'forged@example.org', csrf: 'x'.repeat(43) }),
    });
    expect(forged.status).toBe(403);
    const anonymous = await new Browser().request(`${broker.issuer}/account/email`);
    expect(anonymous.headers.get('location')).toBe('/account/sign-in');
    expect(smtp.to('forged@example.org')).toHaveLength(0);
  });
});

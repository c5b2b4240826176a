import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser as Chromium, Page } from 'playwright-core';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { createWalkRecorder, launchChromium, upstreamSignIn } from '../support/chromium.ts';
import { linkIn, startSmtp, type SmtpCapture } from '../support/smtp.ts';

let smtp: SmtpCapture;
let broker: TestBroker;
let chromium: Chromium;
const walk = createWalkRecorder('organisation');

beforeAll(async () => {
  smtp = await startSmtp();
  // The embedded demo (development upstream, demo directory) with its mail going to a real SMTP server.
  broker = await startBroker({ mail: { smtpUrl: smtp.url } }, { issuer: (port) => `http://localhost:${port}` });
  chromium = await launchChromium();
}, 60_000);
afterAll(async () => {
  await chromium?.close();
  await broker?.close();
  await smtp?.close();
});

const PHONE = { width: 390, height: 844 };

/** Every new page must fit a 390 px wide phone without scrolling sideways; each is screenshot and checked by axe. */
async function check(page: Page, name: string) {
  const sideways = await page.evaluate(
    () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
  );
  expect({ name, sideways }).toEqual({ name, sideways: false });
  await walk.step(page, name);
}

/** The association links mailed to `address`, oldest first, once there are `count` of them. */
async function linksTo(address: string, count: number) {
  await smtp.waitFor(() => smtp.to(address).length >= count);
  return smtp.to(address).map((message) => linkIn(message, broker.issuer));
}

const statusOf = (page: Page, name: string) =>
  page
    .locator('section.person', { has: page.locator('h2 a', { hasText: name }) })
    .locator('.status')
    .textContent();

describe('"Our organisation" in a real browser, on a 390 px wide screen', () => {
  it('adds a professional who associates from the emailed link, resends, manages people and hands the role over', async () => {
    const context = await chromium.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await page.goto(`${broker.issuer}/account`);
    await page.waitForURL(/\/interaction\//);
    await page.click('button[value="demo"]');
    await upstreamSignIn(page, 'alice');
    await page.waitForURL(`${broker.issuer}/account`);
    await check(page, '01-my-account-administrator');
    await page.click('a.button[href="/account/organisation"]');

    expect(await page.textContent('h1')).toBe('Our organisation');
    expect((await statusOf(page, 'Erin Evans'))!.trim()).toBe('Not invited');
    await check(page, '02-people');
    await page.selectOption('#status', 'disabled');
    await page.click('button:text("Show")');
    expect(await page.locator('section.person h2').allTextContents()).toEqual(['Gina Green']);
    await check(page, '03-people-disabled');

    // Add a professional: the form's errors first, then the invitation's reference.
    await page.goto(`${broker.issuer}/account/organisation`);
    await page.click('text=Add a professional');
    await check(page, '04-add');
    await page.fill('#email', 'dana.doyle@');
    await page.click('button:text("Add and invite")');
    expect(await page.textContent('#display_name-error')).toBe('The name is empty.');
    expect(await page.textContent('#email-error')).toContain('Enter an email address');
    await check(page, '05-add-errors');
    await page.fill('#display_name', 'Dana Doyle');
    await page.fill('#email', 'dana.doyle@contoso.example');
    await page.click('button:text("Add and invite")');
    expect(await page.textContent('h1')).toBe('Professional added and invited');
    const invited = (await page.textContent('.reference strong'))!.trim();
    await check(page, '06-added');

    const [first] = await linksTo('dana.doyle@contoso.example', 1);
    const invitation = smtp.to('dana.doyle@contoso.example')[0]!;
    expect(invitation.subject).toBe('Alice Andersen invited you to sign in for Contoso Pharmaceuticals (C-104233)');
    expect(invitation.text).toContain(invited);

    // Resend: a new link, and the first one says it was superseded.
    await page.click('text=See Dana Doyle');
    expect(await page.textContent('.status')).toContain('Invited on');
    await check(page, '07-person-invited');
    await page.click('button:text("Send the invitation again")');
    expect(await page.textContent('h1')).toBe('Invitation sent');
    await check(page, '08-invitation-resent');
    const [, second] = await linksTo('dana.doyle@contoso.example', 2);
    expect(second).not.toBe(first);

    const dana = await (await chromium.newContext({ viewport: PHONE })).newPage();
    await dana.goto(first!);
    expect(await dana.textContent('h1')).toBe('This link can no longer be used');
    expect(await dana.textContent('main')).toContain('A newer email was sent for this profile');
    await dana.context().close();

    // In a fresh browser, the professional opens the newest link and associates their own (demo) account.
    const fresh = await (await chromium.newContext({ viewport: PHONE })).newPage();
    await fresh.goto(second!);
    await fresh.waitForURL(/\/associate$/);
    expect(await fresh.textContent('h1')).toBe('Associate your sign-in with Contoso Pharmaceuticals');
    await fresh.click('text=Continue with Demo consumer account');
    await upstreamSignIn(fresh, 'dave');
    await fresh.waitForURL(/\/associate\/done$/);
    expect(await fresh.textContent('main')).toContain('now associated with your profile at Contoso Pharmaceuticals');
    // An invitation was not asked for from a portal: the page lists where the profile can sign in, and nothing else.
    expect(await fresh.getAttribute('text=Sign in to Customer portal', 'href')).toBe(
      `${broker.issuer}/demo/customer-portal/`,
    );
    expect(await fresh.textContent('main')).not.toContain('where you asked');
    await fresh.context().close();

    await page.goto(`${broker.issuer}/account/organisation?q=dana`);
    expect(await statusOf(page, 'Dana Doyle')).toMatch(/^\s*Associated since [A-Z][a-z]+ \d{1,2}, \d{4}\s*$/);
    await check(page, '09-people-associated');

    // Several at once: a dry run first, then the same lines for real.
    await page.goto(`${broker.issuer}/account/organisation/add-several`);
    await check(page, '10-add-several');
    await page.fill('#lines', 'Ola Olsen, ola.olsen@contoso.example\nnobody at all');
    await page.click('button:text("Check the lines")');
    expect(await page.textContent('h1')).toBe('Check before adding');
    await check(page, '11-add-preview');
    await page.click('button:text("Add 1 and invite them")');
    expect(await page.textContent('h1')).toBe('Professionals added');
    await check(page, '12-add-report');

    // Ola's page: correct the email (an error first), withdraw the invitation, disable and enable.
    await page.goto(`${broker.issuer}/account/organisation?q=ola`);
    await page.click('text=Ola Olsen');
    await page.fill('#email', 'ola.olsen@');
    await page.click('button:text("Correct the email")');
    expect(await page.textContent('#email-error')).toContain('Enter an email address');
    await check(page, '13-person-email-error');
    await page.fill('#email', 'ola.o@contoso.example');
    await page.click('button:text("Correct the email")');
    expect(await page.textContent('h1')).toBe('Email corrected');
    await check(page, '14-email-corrected');
    await page.click('text=Back to Ola Olsen');
    await page.click('button:text("Send an invitation")');
    await page.click('text=Back to Ola Olsen');
    await page.click('button:text("Withdraw the invitation")');
    expect(await page.textContent('h1')).toBe('Invitation withdrawn');
    await check(page, '15-invitation-withdrawn');
    await page.click('text=Back to Ola Olsen');
    await page.click('button:text("Disable Ola Olsen")');
    expect(await page.textContent('h1')).toBe('Disabled');
    await check(page, '16-disabled');
    await page.click('text=Back to Ola Olsen');
    await page.click('button:text("Enable Ola Olsen")');
    expect(await page.textContent('h1')).toBe('Enabled');

    // Bob left: his association is removed after a confirmation naming him.
    await page.goto(`${broker.issuer}/account/organisation/people/prf-bob-contoso`);
    await check(page, '17-person-associated');
    await page.click('text=Remove the association');
    expect(await page.textContent('h1')).toBe('Remove Bob Berg’s association?');
    await check(page, '18-confirm-remove');
    await page.click('button:text("Remove the association")');
    expect(await page.textContent('h1')).toBe('Association removed');
    await check(page, '19-association-removed');

    // The role goes to Dana: both are emailed with the change's reference, and Alice's organisation pages close.
    await page.goto(`${broker.issuer}/account/organisation?q=dana`);
    await page.click('text=Dana Doyle');
    await page.click('text=Make Dana Doyle the administrator');
    expect(await page.textContent('h1')).toBe('Make Dana Doyle the administrator?');
    await check(page, '20-confirm-hand-over');
    await page.click('button:text("Make Dana Doyle the administrator")');
    expect(await page.textContent('h1')).toBe('Administrator role handed over');
    const handedOver = (await page.textContent('.reference strong'))!.trim();
    await check(page, '21-handed-over');
    await smtp.waitFor(() =>
      ['dana.doyle@contoso.example', 'alice.andersen@contoso.example'].every((to) =>
        smtp.to(to).some((m) => m.text?.includes(handedOver)),
      ),
    );
    const notices = ['dana.doyle@contoso.example', 'alice.andersen@contoso.example'].map(
      (to) => smtp.to(to).find((m) => m.text?.includes(handedOver))!.text!,
    );
    expect(notices[0]).toContain('You are now the administrator of Contoso Pharmaceuticals');
    expect(notices[1]).toContain('Dana Doyle is now the administrator of Contoso Pharmaceuticals');

    await page.click('text=Back to my account');
    expect(await page.locator('a[href="/account/organisation"]').count()).toBe(0);
    const refused = await page.goto(`${broker.issuer}/account/organisation`);
    expect(refused!.status()).toBe(403);
    expect(await page.textContent('.message')).toContain(
      "Only your organisation's administrator can see and manage its people",
    );
    await check(page, '22-no-longer-administrator');

    expect(walk.violations).toEqual([]);
    await context.close();
  }, 120_000);
});

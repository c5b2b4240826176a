import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser as Chromium, Page } from 'playwright-core';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { createWalkRecorder, launchChromium, upstreamSignIn } from '../support/chromium.ts';
import { startSmtp, type SmtpCapture } from '../support/smtp.ts';

let smtp: SmtpCapture;
let broker: TestBroker;
let chromium: Chromium;
const walk = createWalkRecorder('account-email');
const PHONE = { viewport: { width: 390, height: 844 } };

beforeAll(async () => {
  smtp = await startSmtp();
  broker = await startBroker(
    { mail: { smtpUrl: smtp.url, retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 } } },
    { issuer: (port) => `http://localhost:${port}` },
  );
  chromium = await launchChromium();
}, 60_000);
afterAll(async () => {
  await chromium?.close();
  await broker?.close();
  await smtp?.close();
});

/** Whether the page scrolls sideways at the viewport's width (it must not, down to a 390 px phone). */
const scrollsSideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

/** A new page of the walk: no sideways scrolling, then a screenshot and axe-core's check. */
async function step(page: Page, name: string) {
  expect(await scrollsSideways(page)).toBe(false);
  await walk.step(page, name);
}

/** Signs `username` in to the console through the broker (one profile: no picker). */
async function consoleAs(page: Page, username: string) {
  await page.goto(`${broker.issuer}/account`);
  await page.waitForURL(/\/interaction\//);
  await page.click('button[value="demo"]');
  await upstreamSignIn(page, username);
  await page.waitForURL(`${broker.issuer}/account`);
  expect(await page.textContent('h1')).toBe('My account');
}

describe('"My account" email and profile pages in a real browser, on a 390 px wide screen', () => {
  it('an email change confirmed from the new mailbox', async () => {
    const context = await chromium.newContext(PHONE);
    const page = await context.newPage();
    await consoleAs(page, 'alice');

    await page.click('text=Change my registered email');
    expect(await page.textContent('h1')).toBe('Change my registered email');
    await step(page, '01-form');
    await page.fill('#email', 'not an address');
    await page.click('text=Send the confirmation link');
    expect(await page.textContent('#email-error')).toContain('not an email address');
    await step(page, '02-form-refused');
    await page.fill('#email', 'alice.andersen.new-address@example.org');
    await page.click('text=Send the confirmation link');
    expect(await page.textContent('h1')).toBe('Check the new mailbox');
    expect(await page.textContent('main')).toContain('alice.andersen.new-address@example.org');
    await step(page, '03-check-the-new-mailbox');

    await smtp.waitFor(() => smtp.to('alice.andersen.new-address@example.org').length === 1);
    const mail = smtp.to('alice.andersen.new-address@example.org')[0]!;
    const link = new RegExp(`${broker.issuer}/account/email/confirm/[A-Za-z0-9_-]{43}`).exec(mail.text ?? '')![0];

    // The new mailbox is read on another device: a browser with no console session.
    const phone = await chromium.newContext(PHONE);
    const mailbox = await phone.newPage();
    await mailbox.goto(link);
    expect(mailbox.url()).toBe(`${broker.issuer}/account/email/confirm`);
    expect(await mailbox.textContent('h1')).toBe('Confirm your new registered email');
    await step(mailbox, '04-confirm');
    await mailbox.click('form[action="/account/email/confirm"] button');
    expect(await mailbox.textContent('h1')).toBe('Your registered email is now alice.andersen.new-address@example.org');
    await step(mailbox, '05-changed');

    // The link a second time: a page that says it was used.
    await mailbox.goto(link);
    expect(await mailbox.textContent('h1')).toBe('This link can no longer be used');
    await step(mailbox, '06-used');

    // The console shows the new address; the old address got the notice.
    await page.goto(`${broker.issuer}/account`);
    expect(await page.textContent('main')).toContain('alice.andersen.new-address@example.org');
    await smtp.waitFor(() => smtp.to('alice.andersen@contoso.example').length === 1);
    expect(smtp.to('alice.andersen@contoso.example')[0]!.subject).toBe(
      'The email address of your profile at Contoso Pharmaceuticals was changed',
    );

    expect(walk.violations).toEqual([]);
    await phone.close();
    await context.close();
  }, 60_000);

  it('"Use a different account for this profile" and "Associate another profile"', async () => {
    const context = await chromium.newContext(PHONE);
    const page = await context.newPage();
    await consoleAs(page, 'carol');
    await step(page, '07-my-account');

    await page.click('text=Use a different account for this profile');
    expect(await page.textContent('h1')).toBe('Use a different account for this profile?');
    await step(page, '08-reinvite');
    await page.click('text=Send the invitation');
    expect(await page.textContent('h1')).toBe('Invitation sent');
    await step(page, '09-reinvite-sent');

    await page.click('text=Back to my account');
    await page.click('text=Associate another profile');
    await page.waitForURL(/\/interaction\//);
    expect(await page.textContent('h1')).toBe('Associate another profile');
    await step(page, '10-associate-another');
    await page.click('text=Return to My account');
    await page.waitForURL(`${broker.issuer}/account`);

    expect(walk.violations).toEqual([]);
    await context.close();
  }, 60_000);
});

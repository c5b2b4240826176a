import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser as Chromium, Page } from 'playwright-core';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { createWalkRecorder, launchChromium, upstreamSignIn } from '../support/chromium.ts';
import { waitUntil } from '../support/wait.ts';

let broker: TestBroker;
let chromium: Chromium;
const walk = createWalkRecorder('issue3');

beforeAll(async () => {
  // The embedded demo as `npm start` runs it: development upstream, demo portals, development mailbox.
  broker = await startBroker({}, { issuer: (port) => `http://localhost:${port}` });
  chromium = await launchChromium();
}, 60_000);
afterAll(async () => {
  await chromium?.close();
  await broker?.close();
});

const step = (page: Page, name: string) => walk.step(page, name);

describe('first login in a real browser (seed steps 2–10)', () => {
  it('portal → upstream sign-in → registered email → mailbox → link → re-authentication → success → portal with the profile claims', async () => {
    const context = await chromium.newContext();
    const page = await context.newPage();
    await page.goto(`${broker.issuer}/`);
    await step(page, '01-demo-home');
    await page.click('text=Customer portal');
    await page.click('text=Sign in');

    await page.waitForURL(/\/interaction\//);
    await step(page, '02-broker-sign-in');
    await page.click('button[value="demo"]');
    await upstreamSignIn(page, 'erin');

    await page.waitForURL(/\/interaction\//);
    expect(await page.textContent('h1')).toBe('Enter your registered email address');
    await step(page, '03-registered-email');
    await page.fill('#email', 'not-an-address');
    await page.click('text=Continue');
    expect(await page.textContent('#email-error')).toContain('does not look like an email address');
    await step(page, '04-registered-email-error');
    await page.fill('#email', 'erin.evans@contoso.example');
    await page.click('text=Continue');

    expect(await page.textContent('h1')).toBe('Check your email');
    await step(page, '05-check-your-email');
    // The cooldown counts down: the number in its sentence goes down while the page is open.
    // One read of the sentence for both checks: it may tick between two reads.
    const firstSentence = (await page.textContent('#resend-wait'))!;
    const shownFirst = Number(firstSentence.match(/\d+/)![0]);
    expect(firstSentence).toBe(`You can ask again in ${shownFirst} seconds.`);
    await page.waitForFunction(
      (first) => Number(document.querySelector('#resend-wait')?.textContent?.match(/\d+/)?.[0]) < first,
      shownFirst,
      { timeout: 15_000 },
    );
    expect(await page.textContent('#resend-wait')).toMatch(/^You can ask again in \d+ seconds?\.$/);

    // The mailbox and the link, in a second tab, as a person would from their mail client.
    const mail = await context.newPage();
    // The email goes out a moment after the page answered: reload the mailbox until it is there, as a person would.
    await waitUntil(
      async () => {
        await mail.goto(`${broker.issuer}/dev/mailbox`);
        return (await mail.locator('text=Associate your sign-in with Contoso Pharmaceuticals (C-104233)').count()) > 0;
      },
      10_000,
      'the association email in the mailbox',
    );
    await step(mail, '06-mailbox');
    await mail.click('text=Associate your sign-in with Contoso Pharmaceuticals (C-104233)');
    await step(mail, '07-email');
    await mail.click('a.mail-link');

    await mail.waitForURL(/\/associate$/);
    expect(await mail.textContent('h1')).toBe('Associate your sign-in with Contoso Pharmaceuticals');
    await step(mail, '08-link-landing');
    await mail.click('text=Continue with Demo consumer account');
    const callbacks: string[] = [];
    mail.on('request', (r) => r.url().includes('/upstream/callback/') && callbacks.push(r.url()));
    await upstreamSignIn(mail, 'erin');
    await mail.waitForURL(/\/associate\/done$/);
    expect(await mail.textContent('main')).toContain(
      'Your Demo consumer account is now associated with your profile at Contoso Pharmaceuticals',
    );
    expect(await mail.getAttribute('text=Continue to Customer portal', 'href')).toBe(
      `${broker.issuer}/demo/customer-portal/`,
    );
    await step(mail, '09-success');
    // A reload shows the same result, and so does going back to the spent callback address.
    await mail.reload();
    expect(await mail.textContent('h1')).toBe('Your account is now associated');
    expect(callbacks).toHaveLength(1);
    await mail.goto(callbacks[0]!);
    await mail.waitForURL(/\/associate\/done$/);
    expect(await mail.textContent('main')).toContain('now associated with your profile at Contoso Pharmaceuticals');

    // The original tab carries on by itself to the portal.
    await page.waitForURL(/\/demo\/customer-portal\/$/, { timeout: 20_000 });
    const claims = JSON.parse((await page.textContent('#id-token-claims'))!);
    expect(claims).toMatchObject({
      sub: 'prf-erin-contoso',
      org_name: 'Contoso Pharmaceuticals',
      org_account_number: 'C-104233',
      profile_role: 'professional',
    });
    await step(page, '10-portal');
    await context.close();
  }, 90_000);

  it('has no accessibility violations on any page of the walk', () => {
    expect(walk.pagesChecked).toBe(10);
    expect(walk.violations).toEqual([]);
  });
});

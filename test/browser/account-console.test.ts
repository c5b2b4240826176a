import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser as Chromium, Page } from 'playwright-core';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { createWalkRecorder, launchChromium, upstreamSignIn } from '../support/chromium.ts';

let broker: TestBroker;
let chromium: Chromium;
const walk = createWalkRecorder('account');

beforeAll(async () => {
  // The embedded demo as `npm start` runs it: development upstream, demo portals, development mailbox.
  broker = await startBroker({}, { issuer: (port) => `http://localhost:${port}` });
  chromium = await launchChromium();
}, 60_000);
afterAll(async () => {
  await chromium?.close();
  await broker?.close();
});

/** Whether the page scrolls sideways at the viewport's width (it must not, down to a 390 px phone). */
const scrollsSideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

describe('the account console ("My account") in a real browser, on a 390 px wide screen', () => {
  it('signs in through the broker, lists the account’s profiles, removes one after confirming, and signs out', async () => {
    const context = await chromium.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${broker.issuer}/account`);

    // The console signs in through the broker like a portal: its sign-in page, the upstream, the picker.
    await page.waitForURL(/\/interaction\//);
    await page.click('button[value="demo"]');
    await upstreamSignIn(page, 'bob');
    await page.waitForURL(/\/interaction\//);
    expect(await page.textContent('h1')).toBe('Choose a profile');
    await page.check('input[value="prf-bob-contoso"]');
    await page.click('text=Continue');

    await page.waitForURL(`${broker.issuer}/account`);
    expect(await page.textContent('h1')).toBe('My account');
    const organisations = await page.locator('section.profile-card h2').allTextContents();
    expect(organisations.map((t) => t.trim())).toEqual([
      'Contoso Pharmaceuticals signed in as this profile',
      'Fabrikam Consulting',
    ]);
    expect(await page.textContent('main')).toContain('bob.berg@fabrikam.example');
    expect(await scrollsSideways(page)).toBe(false);
    await walk.step(page, '01-my-account');

    await page
      .locator('section.profile-card', { hasText: 'Fabrikam Consulting' })
      .locator('text=Remove this profile')
      .click();
    expect(await page.textContent('h1')).toBe('Remove this profile from your account?');
    expect(await scrollsSideways(page)).toBe(false);
    await walk.step(page, '02-remove-confirm');
    await page.click('text=Remove the profile');

    expect(await page.textContent('h1')).toBe('Profile removed from your account');
    const reference = (await page.textContent('.reference strong'))!.trim();
    expect(reference).toMatch(/\S+/);
    await walk.step(page, '03-removed');
    await page.click('text=Back to my account');
    expect((await page.locator('section.profile-card h2').allTextContents()).map((t) => t.trim())).toEqual([
      'Contoso Pharmaceuticals signed in as this profile',
    ]);

    // The notice to the profile's registered address quotes the removal's reference.
    const mailbox = await context.newPage();
    await mailbox.goto(`${broker.issuer}/dev/mailbox`);
    expect(await mailbox.textContent('body')).toContain('Your profile at Fabrikam Consulting was removed');

    // Signing out of the console signs out of the broker too (RP-initiated logout, confirmed on the broker's page).
    await page.click('form[action="/account/sign-out"] button');
    await page.waitForURL(/\/session\/end/);
    await page.click('text=Yes, sign me out');
    // The broker ends the upstream session too: the development upstream asks its own confirmation.
    await page.waitForURL(/\/dev-upstream\/session\/end/);
    await page.click('text=Sign out of the demo consumer account');
    await page.waitForURL(/\/account\/signed-out/);
    expect(await page.textContent('h1')).toBe('You are signed out');
    await walk.step(page, '04-signed-out');
    // The broker's session ended too: signing in to the console again starts at the broker's sign-in page.
    await page.click('text=Sign in to my account');
    await page.waitForURL(/\/interaction\//);
    expect(await page.locator('button[value="demo"]').count()).toBe(1);

    expect(walk.violations).toEqual([]);
    await context.close();
  }, 60_000);
});

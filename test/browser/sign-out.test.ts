import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser as Chromium } from 'playwright-core';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { createWalkRecorder, launchChromium, upstreamSignIn } from '../support/chromium.ts';
import { waitUntil } from '../support/wait.ts';

let broker: TestBroker;
let chromium: Chromium;
const walk = createWalkRecorder('sign-out');

beforeAll(async () => {
  // The embedded demo as `npm start` runs it; its portals register a back-channel logout endpoint.
  broker = await startBroker({}, { issuer: (port) => `http://localhost:${port}` });
  chromium = await launchChromium();
}, 60_000);
afterAll(async () => {
  await chromium?.close();
  await broker?.close();
});

describe('signing out on a shared computer, in a real browser', () => {
  it('ends the sessions at the broker, the portal (back-channel) and the upstream: the next sign-in asks for the password', async () => {
    const context = await chromium.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const portal = `${broker.issuer}/demo/customer-portal/`;

    // Signed in to the customer portal with "Sign me in automatically".
    await page.goto(portal);
    await page.click('text=Sign in');
    await page.waitForURL(/\/interaction\//);
    await page.check('#remember');
    await page.click('button[value="demo"]');
    await upstreamSignIn(page, 'alice');
    await page.waitForURL(portal);
    expect(JSON.parse((await page.textContent('#id-token-claims'))!).sid).toEqual(expect.any(String));

    // "My account" in the same browser: no password asked (the broker session), and it lists this browser.
    await page.goto(`${broker.issuer}/account`);
    await page.waitForURL(`${broker.issuer}/account`);
    await page.click("text=Where you're signed in");
    await page.waitForURL(`${broker.issuer}/account/sessions`);
    expect(await page.textContent('h1')).toBe("Where you're signed in");
    expect(await page.locator('.tag', { hasText: 'this browser' }).count()).toBe(1);
    expect(await page.textContent('main')).toContain('Customer portal');
    await walk.step(page, '01-sessions');

    // Sign out from the console: the broker's confirmation, then the upstream's own.
    await page.goto(`${broker.issuer}/account`);
    await page.click('form[action="/account/sign-out"] button');
    await page.waitForURL(/\/session\/end/);
    await walk.step(page, '02-confirm');
    await page.click('text=Yes, sign me out');
    await page.waitForURL(/\/dev-upstream\/session\/end/);
    await page.click('text=Sign out of the demo consumer account');
    await page.waitForURL(/\/account\/signed-out/);
    expect(await page.textContent('h1')).toBe('You are signed out');

    // The portal heard of it by back-channel logout (it verifies the token: signature, iss, aud, events, sid, no
    // nonce) and ended its own session.
    await waitUntil(
      async () => {
        await page.goto(portal);
        return (await page.locator('#ended-by-broker').count()) === 1;
      },
      20_000,
      'the portal session ended by back-channel logout',
    );
    expect(await page.textContent('main')).toContain('You are not signed in.');
    await walk.step(page, '03-portal-ended');

    // The next person at this computer clicks "Sign in": the upstream asks for the password again.
    await page.click('text=Sign in');
    await page.waitForURL(/\/interaction\//);
    await page.click('button[value="demo"]');
    await page.waitForURL(/\/dev-upstream\/interaction\//);
    expect(await page.locator('#password').count()).toBe(1);
    await walk.step(page, '04-password-again');
    expect(broker.logs.filter((l) => l.event === 'backchannel.failed')).toEqual([]);
    expect(walk.violations).toEqual([]);
    await context.close();
  }, 90_000);
});

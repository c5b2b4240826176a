import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser as Chromium, Page } from 'playwright-core';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { createWalkRecorder, launchChromium, upstreamSignIn } from '../support/chromium.ts';

let broker: TestBroker;
let chromium: Chromium;

// A real browser's walk takes seconds even on an idle machine, and several times that on a loaded one: the launch and
// each walk get their own bounds instead of the suite's default.
beforeAll(async () => {
  broker = await startBroker({}, { issuer: (port) => `http://localhost:${port}` });
  chromium = await launchChromium();
}, 60_000);
afterAll(async () => {
  await chromium?.close();
  await broker?.close();
});

const walk = createWalkRecorder('issue2');
const shot = (page: Page, name: string) => walk.step(page, name);

describe('the embedded demo in a real browser', () => {
  it('walks home → customer portal → broker sign-in → upstream → picker → portal, switches profile and signs out', async () => {
    const page = await chromium.newPage();
    await page.goto(`${broker.issuer}/`);
    await shot(page, '1-home');
    await page.click('text=Customer portal');
    await page.click('text=Sign in');

    await page.waitForURL(/\/interaction\//);
    expect(await page.textContent('h1')).toBe('Sign in to Customer portal');
    expect(await page.isChecked('#remember')).toBe(false);
    await shot(page, '2-broker-sign-in');
    await page.click('button[value="demo"]');

    await page.waitForURL(/\/dev-upstream\/interaction\//);
    await shot(page, '3-upstream-sign-in');
    await upstreamSignIn(page, 'bob');

    await page.waitForURL(/\/interaction\//);
    expect(await page.textContent('h1')).toBe('Choose a profile');
    await shot(page, '4-picker');
    await page.click('text=Fabrikam Consulting');
    await page.click('text=Continue');

    await page.waitForURL(/\/demo\/customer-portal\/$/);
    const claims = JSON.parse((await page.textContent('#id-token-claims'))!);
    expect(claims).toMatchObject({
      sub: 'prf-bob-fabrikam',
      org_name: 'Fabrikam Consulting',
      profile_kind: 'partner',
      org_account_number: 'P-200871',
    });
    expect(JSON.parse((await page.textContent('#api-token-claims'))!)).toMatchObject({
      aud: `${broker.issuer}/demo/api`,
      profile_id: 'prf-bob-fabrikam',
    });
    await shot(page, '5-portal');

    await page.click('text=Switch profile');
    await page.waitForURL(/\/interaction\//);
    await page.click('text=Contoso Pharmaceuticals');
    await page.click('text=Continue');
    await page.waitForURL(/\/demo\/customer-portal\/$/);
    expect(JSON.parse((await page.textContent('#id-token-claims'))!).sub).toBe('prf-bob-contoso');
    await shot(page, '6-switched');

    await page.click('text=Sign out');
    await page.waitForURL(/\/session\/end/);
    await shot(page, '7-sign-out');
    await page.click('text=Yes, sign me out');
    // The broker ends the upstream session too; the development upstream asks its own confirmation.
    await page.waitForURL(/\/dev-upstream\/session\/end/);
    await shot(page, '8-upstream-sign-out');
    await page.click('text=Sign out of the demo consumer account');
    await page.waitForURL(/\/demo\/customer-portal\/$/);
    expect(await page.textContent('main')).toContain('You are not signed in.');
  }, 90_000);

  it('shows Carol why the customer portal will not let her in', async () => {
    const page = await chromium.newPage();
    await page.goto(`${broker.issuer}/demo/customer-portal/login`);
    await page.click('button[value="demo"]');
    await upstreamSignIn(page, 'carol');
    await page.waitForURL(/\/interaction\//);
    expect(await page.textContent('main')).toContain(
      'Northwind Traders does not have an active service contract (it ended on June 30, 2025)',
    );
    await shot(page, '8-ineligible');
  }, 60_000);

  it('has no accessibility violations on any page of the walks', () => {
    expect(walk.pagesChecked).toBe(9);
    expect(walk.violations).toEqual([]);
  });
});

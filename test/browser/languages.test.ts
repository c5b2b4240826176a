import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser as Chromium, BrowserContext, Page } from 'playwright-core';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { createWalkRecorder, launchChromium, upstreamSignIn } from '../support/chromium.ts';
import { waitUntil } from '../support/wait.ts';

let broker: TestBroker;
let chromium: Chromium;

beforeAll(async () => {
  // The embedded demo as `npm start` runs it, with the pseudo-language a translator would switch on.
  broker = await startBroker({ pages: { pseudoLanguage: true } }, { issuer: (port) => `http://localhost:${port}` });
  chromium = await launchChromium();
}, 60_000);
afterAll(async () => {
  await chromium?.close();
  await broker?.close();
});

/** The newest email in the development mailbox to an address, as its page shows it: subject, text, links. */
async function newestMail(context: BrowserContext, to: string, after = 0) {
  const mailbox = await context.newPage();
  let count = 0;
  await waitUntil(
    async () => {
      await mailbox.goto(`${broker.issuer}/dev/mailbox`);
      count = await mailbox.locator('tbody tr', { hasText: to }).count();
      return count > after;
    },
    20_000,
    `an email to ${to}`,
  );
  await mailbox.locator('tbody tr', { hasText: to }).first().locator('a').click();
  return mailbox;
}

/**
 * First login through the customer portal: the broker's sign-in page, the upstream (the demo's own, in English: it is
 * not the broker's), the registered email, "check your email", the association email and its link, the success page;
 * then "My account" and "Where you're signed in". Each broker page is checked by `check`.
 */
async function firstLoginWalk(
  page: Page,
  options: { username: string; registered: string; start: string; check: (page: Page, name: string) => Promise<void> },
) {
  const context = page.context();
  await page.goto(options.start);
  await page.waitForURL(/\/interaction\//);
  await options.check(page, '01-sign-in');
  await page.click('button[value="demo"]');
  await upstreamSignIn(page, options.username);
  await page.waitForURL(/\/interaction\//);
  await options.check(page, '02-registered-email');
  await page.fill('#email', options.registered);
  await page.click('form[action$="/associate"] button[type="submit"]');
  await page.waitForSelector('h1');
  await options.check(page, '03-check-your-email');

  const mail = await newestMail(context, options.registered);
  await options.check(mail, '04-email');
  const html = await context.newPage();
  await html.goto(`${mail.url()}/html`);
  await options.check(html, '05-email-html');
  await mail.click('a.mail-link');
  await mail.waitForURL(/\/associate$/);
  await options.check(mail, '06-link-landing');
  await mail.click('form[action="/associate/continue"] button');
  await upstreamSignIn(mail, options.username);
  await mail.waitForURL(/\/associate\/done$/);
  await options.check(mail, '07-success');

  await page.waitForURL(/\/demo\/customer-portal\/$/, { timeout: 20_000 });
  await page.goto(`${broker.issuer}/account`);
  await page.waitForURL(`${broker.issuer}/account`);
  await options.check(page, '08-my-account');
  await page.goto(`${broker.issuer}/account/sessions`);
  await options.check(page, '09-sessions');
  await page.goto(`${broker.issuer}/account/email`);
  await options.check(page, '10-email-change');
  return { mail };
}

describe('pages and emails in the person’s language, in a real browser on a 390 px screen', () => {
  it('German, asked for by the portal (ui_locales) and the browser (Accept-Language)', async () => {
    const walk = createWalkRecorder('german');
    const context = await chromium.newContext({ viewport: { width: 390, height: 844 }, locale: 'de-DE' });
    const page = await context.newPage();
    const seen: Record<string, string> = {};
    await firstLoginWalk(page, {
      username: 'erin',
      registered: 'erin.evans@contoso.example',
      start: `${broker.issuer}/demo/customer-portal/login?ui_locales=de`,
      async check(at, name) {
        // 04 and 05 are the email as the development mailbox shows it: no page language, no heading of its own.
        if (!name.startsWith('04') && !name.startsWith('05')) {
          expect(await at.getAttribute('html', 'lang')).toBe('de');
          seen[name] = (await at.textContent('h1'))!.trim();
        }
        await walk.step(at, name);
      },
    });
    expect(seen).toMatchObject({
      '01-sign-in': expect.stringMatching(/^Bei Customer portal anmelden$|Anmelden/),
      '08-my-account': 'Mein Konto',
    });
    expect(walk.violations).toEqual([]);
    await context.close();
  }, 120_000);

  it('French, asked for by the browser only, and switched to from the page', async () => {
    const walk = createWalkRecorder('french');
    const context = await chromium.newContext({ viewport: { width: 390, height: 844 }, locale: 'fr-FR' });
    const page = await context.newPage();
    // Alice is associated already: the sign-in page, then straight to the portal; then her account pages.
    await page.goto(`${broker.issuer}/demo/customer-portal/login`);
    await page.waitForURL(/\/interaction\//);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    await walk.step(page, '01-sign-in');
    await page.click('button[value="demo"]');
    await upstreamSignIn(page, 'alice');
    await page.waitForURL(/\/demo\/customer-portal\/$/);
    for (const [path, name] of [
      ['/account', '02-my-account'],
      ['/account/sessions', '03-sessions'],
      ['/account/organisation', '04-our-organisation'],
    ] as const) {
      await page.goto(`${broker.issuer}${path}`);
      expect(await page.getAttribute('html', 'lang')).toBe('fr');
      await walk.step(page, name);
    }
    expect(await page.title()).toContain('Contoso Pharmaceuticals');
    // The switch at the foot of the page: German from here on, though the browser asks for French.
    await page.click('nav a[lang="de"]');
    expect(await page.getAttribute('html', 'lang')).toBe('de');
    await page.goto(`${broker.issuer}/account`);
    expect(await page.getAttribute('html', 'lang')).toBe('de');
    await walk.step(page, '05-switched');
    expect(walk.violations).toEqual([]);
    await context.close();
  }, 120_000);

  it('leaves no sentence outside the catalogues: the pseudo-language walk finds no plain text on any page or email', async () => {
    const walk = createWalkRecorder('pseudo');
    const context = await chromium.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${broker.issuer}/?lang=en-XA`);
    const untranslated: string[] = [];
    await firstLoginWalk(page, {
      username: 'frank',
      registered: 'frank.fischer@fabrikam.example',
      start: `${broker.issuer}/demo/customer-portal/login`,
      async check(at, name) {
        // The mailbox page is the demo's own: only the email in it is the broker's.
        const text =
          name === '04-email' ? await at.textContent('pre') : await at.evaluate(() => document.body.innerText);
        for (const word of plainWords(text ?? '')) untranslated.push(`${name}: ${word}`);
        await walk.step(at, name);
      },
    });
    expect(untranslated).toEqual([]);
    expect(walk.violations).toEqual([]);
    await context.close();
  }, 120_000);
});

/**
 * What is left of a text once every catalogue sentence (⟦…⟧, nested when a sentence holds another) and every value
 * the walk put in (names, addresses, the demo's portal and upstream names, language names) is taken out: words of
 * plain English there came from a template or the code directly.
 */
function plainWords(text: string): string[] {
  let rest = text;
  for (let previous = ''; previous !== rest;) {
    previous = rest;
    rest = rest.replace(/⟦[^⟦⟧]*⟧/g, ' ');
  }
  rest = rest.replace(/https?:\/\/\S+/g, ' ').replace(/\b[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}\b/g, ' ');
  for (const value of DATA) rest = rest.split(value).join(' ');
  return [...new Set(rest.match(/[A-Za-z]{3,}/g) ?? [])];
}

const DATA = [
  'Frank Fischer',
  'Fabrikam Consulting',
  'Contoso Pharmaceuticals',
  'frank.fischer@fabrikam.example',
  'frank.f@outlook.example',
  'Customer portal',
  'Partner portal',
  'Test portal',
  'Demo consumer account',
  'support@example.com',
  'English',
  'Deutsch',
  'Français',
  'Chromium',
  'Chrome Headless',
  'Linux',
  'http://localhost',
  'localhost',
];

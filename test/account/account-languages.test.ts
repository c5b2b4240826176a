import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from '../support/browser.ts';
import { Browser } from '../support/browser.ts';
import { consoleAs } from '../support/account.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(() => broker.close());

const PAGES = ['/account', '/account/sessions', '/account/organisation'] as const;

/** The language switch at the foot of the page: each language's link to this page again. */
const switchLinks = (page: Page) =>
  page
    .$('footer nav ul.languages a')
    .map((_, a) => ({ lang: page.$(a).attr('lang'), href: page.$(a).attr('href') }))
    .get();

const expectSwitch = (page: Page, path: string, current: string) => {
  const links = switchLinks(page);
  expect(links.map((l) => l.lang)).toEqual(expect.arrayContaining(['en', 'de', 'fr']));
  for (const link of links) expect(link.href).toBe(`${path}?lang=${link.lang}`);
  expect(page.$('footer nav a[aria-current="true"]').attr('lang')).toBe(current);
};

describe('the account console in German and French', () => {
  it('follows Accept-Language: "My account", "Where you\'re signed in" and "Our organisation" in German', async () => {
    const { browser } = await consoleAs(broker.issuer, 'alice');
    browser.extraHeaders = { 'accept-language': 'de-CH, de;q=0.9, en;q=0.5' };
    const headings: Record<string, string> = {
      '/account': 'Mein Konto',
      '/account/sessions': 'Wo Sie angemeldet sind',
      '/account/organisation': 'Unsere Organisation',
    };
    for (const path of PAGES) {
      const page = await browser.go(`${broker.issuer}${path}`);
      expect({ path, status: page.status, lang: page.$('html').attr('lang') }).toEqual({
        path,
        status: 200,
        lang: 'de',
      });
      expect(page.$('h1').text()).toBe(headings[path]);
      expectSwitch(page, path, 'de');
    }
    const overview = await browser.go(`${broker.issuer}/account`);
    expect(overview.$('a[href="/account/sessions"]').text()).toBe('Wo Sie angemeldet sind');
    expect(overview.$('form[action="/account/sign-out"] button').text()).toBe('Abmelden');
    // Words from data stay as they are; words for roles come from the profile catalogue.
    expect(overview.text).toContain('Contoso Pharmaceuticals');
    expect(overview.$('dl.profile dd').eq(3).text()).toBe('Administrator');
    const sessions = await browser.go(`${broker.issuer}/account/sessions`);
    expect(sessions.$('main .tag').text()).toBe('dieser Browser');
    // A moment printed the German way, in UTC.
    expect(sessions.$('dl.profile dd').first().text()).toMatch(/^\d{1,2}\. [A-Za-zä]+ \d{4} um \d\d:\d\d UTC$/);
    const people = await browser.go(`${broker.issuer}/account/organisation`);
    expect(people.$('title').text()).toBe('Unsere Organisation: Contoso Pharmaceuticals');
    expect(people.$('select#status option').first().text()).toBe('Alle');
  });

  it('follows the switch: ?lang=fr wins over Accept-Language, on every page after it', async () => {
    const { browser } = await consoleAs(broker.issuer, 'alice');
    browser.extraHeaders = { 'accept-language': 'de' };
    const chosen = await browser.go(`${broker.issuer}/account?lang=fr`);
    expect(chosen.$('html').attr('lang')).toBe('fr');
    expect(chosen.$('h1').text()).toBe('Mon compte');
    const headings: Record<string, string> = {
      '/account': 'Mon compte',
      '/account/sessions': 'Où vous êtes connecté',
      '/account/organisation': 'Notre organisation',
    };
    for (const path of PAGES) {
      const page = await browser.go(`${broker.issuer}${path}`);
      expect({ path, status: page.status, lang: page.$('html').attr('lang') }).toEqual({
        path,
        status: 200,
        lang: 'fr',
      });
      expect(page.$('h1').text()).toBe(headings[path]);
      expectSwitch(page, path, 'fr');
    }
    const sessions = await browser.go(`${broker.issuer}/account/sessions`);
    expect(sessions.$('form[action="/account/sessions/end-all"] button').text()).toBe('Se déconnecter partout');
    expect(sessions.$('dl.profile dd').first().text()).toMatch(/^\d{1,2} [a-zéû]+ \d{4} à \d\d:\d\d UTC$/);

    // And back to English through the switch.
    const english = await browser.go(`${broker.issuer}/account/organisation?lang=en`);
    expect(english.$('html').attr('lang')).toBe('en');
    expect(english.$('h1').text()).toBe('Our organisation');
  });
});

describe('a sign-in to the account console that did not complete', () => {
  it("says so in the page language: a cancellation in words, never the provider's English description", async () => {
    const browser = new Browser();
    browser.extraHeaders = { 'accept-language': 'de' };
    const signIn = await browser.go(`${broker.issuer}/account/sign-in`);
    expect(signIn.$('form[action$="/abort"]').length).toBe(1);
    const failed = await browser.submit(signIn, 'form[action$="/abort"]');
    expect(failed.status).toBe(400);
    expect(failed.$('h1').text()).toBe('Die Anmeldung wurde nicht abgeschlossen');
    expect(failed.$('main p').first().text()).toBe(
      'Sie haben die Anmeldung abgebrochen und sind daher nicht auf Ihrer Kontoseite angemeldet.',
    );
    expect(failed.text).not.toMatch(/End-User aborted|access_denied/);
  });
});

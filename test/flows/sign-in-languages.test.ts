import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser, type Page } from '../support/browser.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { authorize, signInUpstream } from '../support/flows.ts';
import { createPortal, type Portal } from '../support/portal.ts';

let broker: TestBroker;
let portal: Portal;

beforeAll(async () => {
  broker = await startBroker();
  portal = await createPortal(broker.issuer);
});
afterAll(() => broker.close());

/** An address nobody registered: the "check your email" page reads the same for it, and no email goes out. */
const UNREGISTERED = 'nobody.here@unregistered.example';

const languageOf = (page: Page) => page.$('html').attr('lang');
const heading = (page: Page) => page.$('h1').text().trim();

/** Erin holds a registered profile but has associated no account yet: sign-in page → email page → "check your email". */
async function firstLogin(browser: Browser, parameters: Record<string, string> = {}) {
  const { page: signInPage } = await authorize(browser, portal, parameters);
  const emailPage = await signInUpstream(browser, signInPage, 'erin');
  const sent = await browser.submit(emailPage, 'form[action$="/associate"]', { email: UNREGISTERED });
  return { signInPage, emailPage, sent };
}

describe('the language of a sign-in', () => {
  it("follows the portal's ui_locales on every page of the sign-in", async () => {
    const { signInPage, emailPage, sent } = await firstLogin(new Browser(), { ui_locales: 'de-CH en' });

    expect(signInPage.status).toBe(200);
    expect(languageOf(signInPage)).toBe('de');
    expect(heading(signInPage)).toBe('Bei Test portal anmelden');
    expect(signInPage.$('title').text()).toBe('Bei Test portal anmelden');
    expect(signInPage.$('label[for="remember"]').text()).toBe('Automatisch anmelden');
    expect(signInPage.$('button[value="demo"]').text()).toContain('anmelden');

    expect(languageOf(emailPage)).toBe('de');
    expect(heading(emailPage)).toBe('Geben Sie Ihre registrierte E-Mail-Adresse ein');

    expect(sent.status).toBe(200);
    expect(languageOf(sent)).toBe('de');
    expect(heading(sent)).toBe('Sehen Sie in Ihrem Postfach nach');
    expect(sent.text).toContain(UNREGISTERED);
  });

  it('follows the browser’s Accept-Language when the portal asks for nothing', async () => {
    const browser = new Browser();
    browser.extraHeaders = { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5' };
    const { signInPage, emailPage, sent } = await firstLogin(browser);

    expect(languageOf(signInPage)).toBe('fr');
    expect(heading(signInPage)).toBe('Se connecter à Test portal');
    expect(languageOf(emailPage)).toBe('fr');
    expect(heading(emailPage)).toBe('Saisissez votre adresse e-mail enregistrée');
    expect(languageOf(sent)).toBe('fr');
    expect(heading(sent)).toBe('Consultez votre messagerie');
  });

  it('prefers ui_locales to Accept-Language', async () => {
    const browser = new Browser();
    browser.extraHeaders = { 'accept-language': 'fr' };
    const { page } = await authorize(browser, portal, { ui_locales: 'de' });
    expect(languageOf(page)).toBe('de');
  });

  it.each([
    ['a tag carrying markup', 'xx-<script>alert(1)</script>'],
    ['a 400-character tag', `${'a'.repeat(400)}-b`],
    ['a list of many tags, none known', Array.from({ length: 100 }, () => 'xx').join(' ')],
    ['languages the broker has no catalogue for', 'es pt-BR'],
  ])('is English for %s, and reflects nothing of it', async (_, uiLocales) => {
    const browser = new Browser();
    const { page } = await authorize(browser, portal, { ui_locales: uiLocales });
    expect(page.status).toBe(200);
    expect(languageOf(page)).toBe('en');
    expect(heading(page)).toBe('Sign in to Test portal');
    expect(page.html).not.toContain('<script>');
    expect(page.html).not.toContain('aaaaaaaaaa');
    expect(page.html).not.toContain('pt-BR');
  });

  it('refuses a 5000-character value before any page, back to the portal, echoing nothing of it', async () => {
    const { page } = await authorize(new Browser(), portal, { ui_locales: `${'a'.repeat(4998)}-b` });
    // The broker's limit on an authorization request's size before sign-in answers first.
    const answer = new URL(page.stopped!);
    expect(answer.searchParams.get('error')).toBe('invalid_request');
    expect(page.stopped).not.toContain('aaaaaaaaaa');
  });

  it('switches with ?lang= on a page, and the pages after it stay in that language', async () => {
    const browser = new Browser();
    const { page: english } = await authorize(browser, portal, { ui_locales: 'de' });
    expect(languageOf(english)).toBe('de');

    // The language switch at the foot of the page: this page again, in French.
    const link = english.$('footer a[hreflang="fr"]').attr('href')!;
    expect(link).toMatch(/^\/interaction\/[^?]+\?lang=fr$/);
    const french = await browser.go(new URL(link, broker.issuer).href);
    expect(languageOf(french)).toBe('fr');
    expect(heading(french)).toBe('Se connecter à Test portal');
    expect(french.$('footer a[hreflang="fr"]').attr('aria-current')).toBe('true');

    // The choice wins over the portal's ui_locales for the rest of the sign-in.
    const emailPage = await signInUpstream(browser, french, 'erin');
    expect(languageOf(emailPage)).toBe('fr');
    expect(heading(emailPage)).toBe('Saisissez votre adresse e-mail enregistrée');

    // A mistyped address answers the form's post; its switch leads back to the sign-in's page in the new language.
    const mistyped = await browser.submit(emailPage, 'form[action$="/associate"]', { email: 'not an address' });
    expect(mistyped.status).toBe(400);
    expect(languageOf(mistyped)).toBe('fr');
    expect(mistyped.$('#email-error').text()).toContain('adresse e-mail');
    const german = await browser.go(new URL(mistyped.$('footer a[hreflang="de"]').attr('href')!, broker.issuer).href);
    expect(german.status).toBe(200);
    expect(languageOf(german)).toBe('de');
    expect(heading(german)).toBe('Geben Sie Ihre registrierte E-Mail-Adresse ein');
  });
});

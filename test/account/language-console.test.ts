import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { consoleAs } from '../support/account.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';

let broker: TestBroker;

beforeAll(async () => {
  broker = await startBroker();
});
afterAll(() => broker.close());

const languageForm = (profileId: string) => `form[action="/account/profiles/${profileId}/language"]`;
const localeOf = async (profileId: string) => (await broker.services.admin.directory.getProfile(profileId)).locale;

describe('"The language of your emails" in the account console', () => {
  it('offers each language by its own name and the page language, saves the choice and says so, audited', async () => {
    const { browser } = await consoleAs(broker.issuer, 'bob', 'prf-bob-contoso');
    const own = await browser.go(`${broker.issuer}/account/language`);
    expect(own.url).toBe(`${broker.issuer}/account/profiles/prf-bob-contoso/language`);

    const page = await browser.go(`${broker.issuer}/account/profiles/prf-bob-fabrikam/language`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.$('h1').text()).toBe('The language of your emails');
    expect(page.text).toContain(
      'Emails about your profile at Fabrikam Consulting (account P-200871) go to bob.berg@fabrikam.example',
    );
    const choices = page.$(`${languageForm('prf-bob-fabrikam')} input[name="language"]`);
    expect(choices.map((_, input) => page.$(input).val()).get()).toEqual(['en', 'de', 'fr', 'page']);
    expect(page.$('label[for="language-de"]').text()).toBe('Deutsch');
    expect(page.$('label[for="language-de"]').attr('lang')).toBe('de');
    expect(page.$('label[for="language-fr"]').text()).toBe('Français');
    expect(page.$('label[for="language-page"]').text()).toContain('The language of the page I am on');
    expect(page.$('label[for="language-page"]').text()).toContain('otherwise in English');
    expect(page.$('#language-page').attr('checked')).toBeDefined();

    const saved = await browser.submit(page, languageForm('prf-bob-fabrikam'), { language: 'de' });
    expect(saved.status).toBe(200);
    expect(saved.$('.success').text()).toBe('Saved. Emails to this profile are now in German.');
    expect(saved.$('#language-de').attr('checked')).toBeDefined();
    expect(saved.$('#language-page').attr('checked')).toBeUndefined();
    expect(await localeOf('prf-bob-fabrikam')).toBe('de');
    expect(await localeOf('prf-bob-contoso')).toBeUndefined();
    const [event] = await broker.services.audit.query({
      profileId: 'prf-bob-fabrikam',
      action: 'profile.updated',
      limit: 1,
    });
    expect(event).toMatchObject({ actor: 'profile:prf-bob-contoso', details: { fields: 'locale' } });

    // The page in French, and back to "the language of the page I am on".
    const french = await browser.go(`${broker.issuer}/account/profiles/prf-bob-fabrikam/language?lang=fr`);
    expect(french.$('h1').text()).toBe('La langue de vos e-mails');
    const cleared = await browser.submit(french, languageForm('prf-bob-fabrikam'), { language: 'page' });
    expect(cleared.$('.success').text()).toBe(
      "Enregistré. Chaque e-mail adressé à ce profil est désormais rédigé dans la langue de la page qui l'a déclenché.",
    );
    expect(cleared.$('#language-page').attr('checked')).toBeDefined();
    expect(await localeOf('prf-bob-fabrikam')).toBeUndefined();
  });

  it('shows a language set elsewhere: the catalogue it reads, or the tag the broker has no texts for', async () => {
    const who = { actor: 'operator:test', holds: [] };
    await broker.services.admin.directory.updateProfile(who, 'prf-bob-contoso', {
      email: 'bob.berg@fabrikam.example',
      displayName: 'Bob Berg',
      locale: 'fr-CH',
    });
    const { browser } = await consoleAs(broker.issuer, 'bob', 'prf-bob-contoso');
    const swiss = await browser.go(`${broker.issuer}/account/profiles/prf-bob-contoso/language`);
    expect(swiss.$('#language-fr').attr('checked')).toBeDefined();
    expect(swiss.$('.hint code').length).toBe(0);
    await broker.services.admin.directory.updateProfile(who, 'prf-bob-contoso', {
      email: 'bob.berg@fabrikam.example',
      displayName: 'Bob Berg',
      locale: 'it',
    });
    const italian = await browser.go(`${broker.issuer}/account/profiles/prf-bob-contoso/language`);
    expect(italian.$('input[name="language"][checked]').length).toBe(0);
    expect(italian.$('.hint code').text()).toBe('it');
    await broker.services.admin.directory.updateProfile(who, 'prf-bob-contoso', {
      email: 'bob.berg@fabrikam.example',
      displayName: 'Bob Berg',
      locale: null,
    });
  });

  it('sends a browser without a session to sign in, on the page and on the form, and changes nothing', async () => {
    const anonymous = new Browser();
    for (const path of ['/account/language', '/account/profiles/prf-alice-contoso/language']) {
      const shown = await anonymous.request(`${broker.issuer}${path}`);
      expect(shown.status).toBe(302);
      expect(shown.headers.get('location')).toBe('/account/sign-in');
    }
    const posted = await anonymous.request(`${broker.issuer}/account/profiles/prf-alice-contoso/language`, {
      method: 'POST',
      body: new URLSearchParams({ csrf: 'x'.repeat(43), language: 'de' }),
    });
    expect(posted.headers.get('location')).toBe('/account/sign-in');
    expect(await localeOf('prf-alice-contoso')).toBeUndefined();
  });

  it("answers 404 for another person's profile, an organisation administrator's colleague too, on the page and the form", async () => {
    // Alice administers Contoso: Erin and Bob's Contoso profile are her colleagues, not profiles of her account.
    const { browser, page } = await consoleAs(broker.issuer, 'alice');
    const csrf = page.$('form[action="/account/sign-out"] input[name="csrf"]').attr('value')!;
    for (const other of ['prf-erin-contoso', 'prf-bob-contoso', 'prf-nobody']) {
      const shown = await browser.go(`${broker.issuer}/account/profiles/${other}/language`);
      expect(shown.status).toBe(404);
      expect(shown.text).toContain('not associated with the account you are signed in with');
      const posted = await browser.go(`${broker.issuer}/account/profiles/${other}/language`, {
        method: 'POST',
        body: new URLSearchParams({ csrf, language: 'fr' }),
      });
      expect(posted.status).toBe(404);
    }
    expect(await localeOf('prf-erin-contoso')).toBeUndefined();
    expect(await localeOf('prf-bob-contoso')).toBeUndefined();
  });

  it('refuses a forged form (no token, another session’s token, another origin) and a language it does not write in', async () => {
    const carol = await consoleAs(broker.issuer, 'carol');
    const alice = await consoleAs(broker.issuer, 'alice');
    const alicesToken = alice.page.$('form[action="/account/sign-out"] input[name="csrf"]').attr('value')!;
    const form = await carol.browser.go(`${broker.issuer}/account/profiles/prf-carol-northwind/language`);
    const post = (body: Record<string, string>, headers: Record<string, string> = {}) =>
      carol.browser.go(`${broker.issuer}/account/profiles/prf-carol-northwind/language`, {
        method: 'POST',
        body: new URLSearchParams(body),
        headers,
      });
    expect((await post({ language: 'de' })).status).toBe(400);
    expect((await post({ csrf: alicesToken, language: 'de' })).status).toBe(403);
    expect((await post({ csrf: 'x'.repeat(43), language: 'de' })).status).toBe(403);
    const carolsToken = form.$(`${languageForm('prf-carol-northwind')} input[name="csrf"]`).val() as string;
    expect((await post({ csrf: carolsToken, language: 'de' }, { origin: 'https://attacker.example' })).status).toBe(
      403,
    );
    for (const language of ['it', 'deutsch', '', 'de_DE'])
      expect({ language, status: (await post({ csrf: carolsToken, language })).status }).toEqual({
        language,
        status: 400,
      });
    expect(await localeOf('prf-carol-northwind')).toBeUndefined();
    // Alice's own token does not change Carol's profile from Alice's session either.
    const fromAlice = await alice.browser.go(`${broker.issuer}/account/profiles/prf-carol-northwind/language`, {
      method: 'POST',
      body: new URLSearchParams({ csrf: alicesToken, language: 'de' }),
    });
    expect(fromAlice.status).toBe(404);
    expect(await localeOf('prf-carol-northwind')).toBeUndefined();

    const saved = await carol.browser.submit(form, languageForm('prf-carol-northwind'), { language: 'fr' });
    expect(saved.status).toBe(200);
    expect(await localeOf('prf-carol-northwind')).toBe('fr');
  });
});

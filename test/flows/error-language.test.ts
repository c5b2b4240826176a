import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminApi } from '../support/admin-api.ts';
import { Browser } from '../support/browser.ts';
import { startBroker, TEST_PORTAL, type TestBroker } from '../support/broker.ts';
import { authorize } from '../support/flows.ts';
import { createPortal, type Portal } from '../support/portal.ts';

const ROOT = { id: 'root-admin', secret: 'root-admin-secret-0123456789abcdefghij' };
// A portal name is an administrator's input: it reaches error sentences, and must arrive there as text.
const MARKED_UP = { ...TEST_PORTAL, client_name: 'Acme <b>Bold</b> & Co' };

let broker: TestBroker;
let portal: Portal;

beforeAll(async () => {
  broker = await startBroker({ admin: { clientId: ROOT.id, clientSecret: ROOT.secret }, clients: [MARKED_UP] });
  portal = await createPortal(broker.issuer);
});
afterAll(() => broker.close());

describe('error sentences in the reader’s language', () => {
  it('words a JSON API error in the language of Accept-Language, with the same error code', async () => {
    const admin = adminApi(broker.issuer, ROOT);
    const token = await admin.token('admin:directory');
    const path = '/directory/profiles/prf-nope';
    const [english, german, french, unknown] = await Promise.all(
      [undefined, 'de-DE,de;q=0.9,en;q=0.5', 'fr', 'es'].map((language) =>
        admin.call('GET', path, token, undefined, language ? { 'accept-language': language } : {}),
      ),
    );
    for (const answer of [english, german, french, unknown]) {
      expect({ status: answer!.status, error: answer!.body?.error }).toEqual({
        status: 404,
        error: 'profile_not_found',
      });
    }
    expect(english!.body?.message).toMatch(/^There is no profile prf-nope\. List profiles/);
    expect(german!.body?.message).toBe(
      'Es gibt kein Profil prf-nope. Seine ID finden Sie in der Liste der Profile (GET /admin/api/v1/directory/profiles, gefiltert nach organisation_id oder email).',
    );
    expect(french!.body?.message).toMatch(/^Il n’existe aucun profil prf-nope\. /);
    expect(unknown!.body?.message).toBe(english!.body?.message);
  });

  it('shows an error page in the language chosen with the switch (?lang=fr), and keeps it', async () => {
    const browser = new Browser();
    const chosen = await browser.go(`${broker.issuer}/no-such-page?lang=fr`);
    expect(chosen.status).toBe(404);
    expect(chosen.$('html').attr('lang')).toBe('fr');
    expect(chosen.$('h1').text()).toBe('Page introuvable');
    expect(chosen.$('.message').text()).toBe('Il n’y a pas de page à cette adresse.');
    expect(chosen.$('.reference').text()).toMatch(/^Référence : [0-9A-F]{4}-/);

    // The choice is kept: the next error page is French too, whatever the browser asks for.
    const kept = await browser.go(`${broker.issuer}/still-no-page`, { headers: { 'accept-language': 'de' } });
    expect(kept.$('h1').text()).toBe('Page introuvable');

    const german = await new Browser().go(`${broker.issuer}/no-such-page`, { headers: { 'accept-language': 'de' } });
    expect(german.$('h1').text()).toBe('Seite nicht gefunden');
    expect(german.$('.message').text()).toBe('Unter dieser Adresse gibt es keine Seite.');
  });

  it('escapes a value with markup filled into an error sentence on the HTML page', async () => {
    const browser = new Browser();
    const { page } = await authorize(browser, portal);
    expect(page.status).toBe(200);
    const refused = await browser.submit(
      page,
      'form[action$="/upstream"]',
      { upstream: 'nowhere' },
      { submitter: 'button[name="upstream"]' },
    );
    expect(refused.status).toBe(400);
    expect(refused.$('.message').text()).toBe(
      'That sign-in option is not available for Acme <b>Bold</b> & Co. Go back and choose another.',
    );
    expect(refused.$('.message b')).toHaveLength(0);
    expect(refused.html).toContain('Acme &lt;b&gt;Bold&lt;/b&gt; &amp; Co');
  });
});

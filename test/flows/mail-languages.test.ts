import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { DirectoryAdminStore } from '../../src/directory/directory-admin-store.ts';
import type { Profile } from '../../src/directory/model.ts';
import { Browser } from '../support/browser.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { signInUpstream } from '../support/flows.ts';
import { createPortal, type Portal } from '../support/portal.ts';
import { startSmtp, type SmtpCapture } from '../support/smtp.ts';

let smtp: SmtpCapture;
let broker: TestBroker;
let portal: Portal;

const ERIN = 'erin.evans@contoso.example';

beforeAll(async () => {
  smtp = await startSmtp();
});
// Each test gets its own broker, and so its own directory: a profile changed by one test is not another's.
beforeEach(async () => {
  broker = await startBroker({
    mail: {
      smtpUrl: smtp.url,
      from: 'Broker <no-reply@broker.example>',
      retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 },
      timeoutMs: 2000,
    },
    support: { name: 'Dynamics support', email: 'help@broker.example' },
  });
  portal = await createPortal(broker.issuer);
});
afterEach(() => broker.close());
afterAll(() => smtp.close());

/** The association emails this test's broker sent to an address (the SMTP server is shared by the file's brokers). */
const mailTo = (address: string) => smtp.to(address).filter((m) => (m.text ?? '').includes(broker.issuer));

/** A first sign-in up to "check your email", in whatever language the portal asked for, and the email it sends. */
async function requestLink(parameters: Record<string, string> = {}) {
  const browser = new Browser();
  const { url } = await portal.authorizationUrl(parameters);
  const emailPage = await signInUpstream(browser, await browser.go(url), 'erin');
  const sent = await browser.submit(emailPage, 'form[action$="/associate"]', { email: ERIN });
  expect(sent.status).toBe(200);
  await smtp.waitFor(() => mailTo(ERIN).length === 1);
  return mailTo(ERIN)[0]!;
}

/** Changes the seeded profile directly in the broker's directory store. */
async function changeProfile(changes: Partial<Profile>) {
  const directory = broker.services.redeem.directory as unknown as DirectoryAdminStore;
  expect(await directory.updateProfile('prf-erin-contoso', changes)).toBe(true);
}

describe('the language of an email', () => {
  it('is the sign-in’s language when the portal asked for German (ui_locales=de)', async () => {
    const mail = await requestLink({ ui_locales: 'de' });
    expect(mail.subject).toBe('Ihre Anmeldung mit Contoso Pharmaceuticals (C-104233) verknüpfen');
    expect(mail.text).toContain('Guten Tag Erin Evans,');
    expect(mail.text).toContain('Rolle: Fachkraft');
    expect(mail.text).toMatch(/bis zum \d{1,2}\. [A-Za-zä]+ \d{4} um \d{2}:\d{2} UTC gültig/);
    expect(mail.text).toContain('Fragen? Wenden Sie sich an Dynamics support unter help@broker.example');
    expect(mail.text).not.toContain('Hello');
    expect(mail.html).toContain('<html lang="de">');
  });

  it('is the profile’s own language (its locale) over the language of the request', async () => {
    await changeProfile({ locale: 'fr' });
    const mail = await requestLink({ ui_locales: 'de' });
    expect(mail.subject).toBe('Associez votre connexion à Contoso Pharmaceuticals (C-104233)');
    expect(mail.text).toContain('Bonjour Erin Evans,');
    expect(mail.text).toContain('rôle : professionnel');
    expect(mail.text).toMatch(/expire le \d{1,2} [a-zéû]+ \d{4} à \d{2}:\d{2} UTC/);
    expect(mail.html).toContain('<html lang="fr">');
  });

  it('carries over to the link’s pages: they open in the email’s language, below the person’s own choice', async () => {
    await changeProfile({ locale: 'fr' });
    const mail = await requestLink();
    const url = new RegExp(`${broker.issuer}/associate/[A-Za-z0-9_-]+\\?ui_locales=fr`).exec(mail.text ?? '')?.[0];
    expect(url).toBeDefined();
    // A browser that asks for English still gets the French page of a French email.
    const reader = new Browser();
    reader.extraHeaders = { 'accept-language': 'en' };
    const landing = await reader.go(url!);
    expect(landing.url).toBe(`${broker.issuer}/associate`);
    expect(landing.$('html').attr('lang')).toBe('fr');
    expect(landing.$('h1').text()).toBe('Associer votre connexion à Contoso Pharmaceuticals');
    // The switch at the foot wins over the email's language.
    const english = await reader.go(`${broker.issuer}/associate?lang=en`);
    expect(english.$('html').attr('lang')).toBe('en');
    // An unknown or malformed language in the link is ignored.
    const odd = new Browser();
    const other = await odd.go(url!.replace('ui_locales=fr', 'ui_locales=%3Cx%3E'));
    expect(other.$('html').attr('lang')).toBe('en');
  });

  it('escapes a display name with markup in the HTML part and prints it as written in the text part', async () => {
    const name = 'Erin <script>alert("x")</script> Evans';
    await changeProfile({ displayName: name });
    const mail = await requestLink();
    expect(mail.subject).toBe('Associate your sign-in with Contoso Pharmaceuticals (C-104233)');
    expect(mail.text).toContain(`Hello ${name},`);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('Hello Erin &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Evans,');
  });
});

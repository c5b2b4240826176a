import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as cheerio from 'cheerio';
import { startBroker, type TestBroker } from '../support/broker.ts';

let broker: TestBroker;
let templates: string;

beforeAll(async () => {
  // An operator's folder: one template replaced, one English sentence reworded, a language of their own added.
  templates = mkdtempSync(join(tmpdir(), 'broker-templates-'));
  mkdirSync(join(templates, 'errors'), { recursive: true });
  mkdirSync(join(templates, 'locales', 'en'), { recursive: true });
  mkdirSync(join(templates, 'locales', 'es'), { recursive: true });
  writeFileSync(
    join(templates, 'errors', 'error.hbs'),
    '<h1>{{title}}</h1>\n<p class="message">{{message}}</p>\n<p id="operator-note">Contoso operations</p>\n',
  );
  writeFileSync(join(templates, 'locales', 'en', 'layout.json'), JSON.stringify({ brokerName: 'Contoso sign-in' }));
  writeFileSync(
    join(templates, 'locales', 'es', 'errors.json'),
    JSON.stringify({ 'title.404': 'Página no encontrada' }),
  );
  broker = await startBroker({ pages: { templatesDir: templates } });
});
afterAll(async () => {
  await broker?.close();
  rmSync(templates, { recursive: true, force: true });
});

const page = async (path: string, headers: Record<string, string> = {}) => {
  const response = await fetch(`${broker.issuer}${path}`, { headers: { accept: 'text/html', ...headers } });
  return { response, $: cheerio.load(await response.text()) };
};

describe('the language of a page', () => {
  it('follows Accept-Language, by language alone when the region has no catalogue', async () => {
    const { $ } = await page('/no-such-page', { 'accept-language': 'de-CH, en;q=0.5' });
    expect($('html').attr('lang')).toBe('de');
    expect($('h1').text()).toBe('Seite nicht gefunden');
  });

  it('ignores tags it cannot read or has no catalogue for, and echoes none of them', async () => {
    const hostile = `"><script>alert(1)</script>, ${'x'.repeat(5000)}, zz`;
    const { response, $ } = await page('/no-such-page', { 'accept-language': hostile });
    expect(response.status).toBe(404);
    expect($('html').attr('lang')).toBe('en');
    expect($.html()).not.toContain('<script>alert(1)');
  });

  it('switches with ?lang= on any page, remembers the choice, and lists every language in the switch', async () => {
    const first = await fetch(`${broker.issuer}/no-such-page?lang=fr`, { headers: { accept: 'text/html' } });
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    expect(cookie).toMatch(/^broker\.lang=fr$/);
    const $first = cheerio.load(await first.text());
    expect($first('html').attr('lang')).toBe('fr');
    const links = $first('nav .languages a')
      .toArray()
      .map((a) => [$first(a).attr('lang'), $first(a).text(), $first(a).attr('href')]);
    expect(links).toEqual(
      expect.arrayContaining([
        ['en', 'English', '/no-such-page?lang=en'],
        ['de', 'Deutsch', '/no-such-page?lang=de'],
        ['fr', 'Français', '/no-such-page?lang=fr'],
      ]),
    );
    expect($first('nav .languages a[aria-current]').attr('lang')).toBe('fr');
    // The next page, with the browser asking for German: the person's own choice wins.
    const { $ } = await page('/another-missing-page', { cookie, 'accept-language': 'de' });
    expect($('html').attr('lang')).toBe('fr');
    expect($('h1').text()).toBe('Page introuvable');
  });

  it('answers API errors in the language asked for, with the same error code', async () => {
    const response = await fetch(`${broker.issuer}/admin/api/v1/clients`, { headers: { 'accept-language': 'fr' } });
    const body = (await response.json()) as { error: string; message: string };
    expect(response.status).toBe(401);
    const english = (await (await fetch(`${broker.issuer}/admin/api/v1/clients`)).json()) as typeof body;
    expect(body.error).toBe(english.error);
    expect(body.message).not.toBe(english.message);
  });

  it('lists the languages in discovery as ui_locales_supported', async () => {
    const discovery = (await (await fetch(`${broker.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery.ui_locales_supported).toEqual(['en', 'de', 'es', 'fr']);
  });
});

describe("an operator's template folder", () => {
  it('replaces the templates and sentences it holds, keeps the others, and adds its language', async () => {
    const english = await page('/no-such-page');
    expect(english.$('#operator-note').text()).toBe('Contoso operations');
    expect(english.$('.site-header .brand').text()).toBe('Contoso sign-in');
    expect(english.$('h1').text()).toBe('Page not found');

    // Spanish: the operator's one sentence, English for the rest (a partial catalogue still renders).
    const spanish = await page('/no-such-page', { 'accept-language': 'es' });
    expect(spanish.$('html').attr('lang')).toBe('es');
    expect(spanish.$('h1').text()).toBe('Página no encontrada');
    expect(spanish.$('nav .languages a[lang="es"]').text()).toBe('Español');
  });
});

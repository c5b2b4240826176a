import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from '../support/browser.ts';
import { type Page } from '../support/browser.ts';
import { consoleAs } from '../support/account.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';

let broker: TestBroker;
const OPERATOR = { actor: 'operator:test', holds: [] };

beforeAll(async () => {
  broker = await startBroker();
});
afterAll(() => broker.close());

const url = (path: string) => `${broker.issuer}/account/organisation${path}`;

/** Every form of the pages about one person, with a body that is valid but for the token. */
const personForms = (profileId: string): [string, Record<string, string>][] => [
  [`/people/${profileId}/invitation`, {}],
  [`/people/${profileId}/invitation/revoke`, {}],
  [`/people/${profileId}/email`, { email: 'fixed@contoso.example' }],
  [`/people/${profileId}/status`, { status: 'disabled' }],
  [`/people/${profileId}/remove`, { reason: 'left' }],
  [`/people/${profileId}/hand-over`, {}],
];
const personPages = (profileId: string) => [
  `/people/${profileId}`,
  `/people/${profileId}/remove`,
  `/people/${profileId}/hand-over`,
];
const addForms: [string, Record<string, string>][] = [
  ['/add', { display_name: 'Forged Person', email: 'forged@contoso.example' }],
  ['/add-several', { lines: 'Forged Several,forged.several@contoso.example', apply: '1' }],
];

async function post(browser: Browser, path: string, fields: Record<string, string>, headers?: Record<string, string>) {
  return browser.go(url(path), { method: 'POST', body: new URLSearchParams(fields), headers });
}

/** What a refused attempt must leave as it was: people, roles, associations, and no event by the console's actors. */
async function snapshot() {
  const contoso = await broker.services.admin.directory.listProfiles({ organisationId: 'org-contoso' }, { limit: 500 });
  const associated = await Promise.all(
    contoso.items.map(async (p) => [p.id, Boolean(await broker.services.redeem.associations.findByProfile(p.id))]),
  );
  const events = await broker.services.audit.query({ limit: 500 });
  return {
    people: contoso.items,
    associated,
    fabrikamAdmin: (await broker.services.admin.directory.getProfile('prf-bob-fabrikam')).role,
    byPeople: events.filter((e) => e.actor.startsWith('profile:')),
  };
}

describe('the "Our organisation" pages: who may see them', () => {
  it("shows the administrator their organisation's people, by status and search, a page at a time with no cap", async () => {
    const alice = await consoleAs(broker.issuer, 'alice');
    expect(alice.page.$('a[href="/account/organisation"]').text()).toBe('Our organisation');
    const list = await alice.browser.go(url(''));
    expect(list.status).toBe(200);
    expect(list.$('h1').text()).toBe('Our organisation');
    const people = (page: Page) =>
      page
        .$('section.person h2 a')
        .map((_, a) => page.$(a).text())
        .get();
    expect(people(list)).toEqual(['Alice Andersen', 'Bob Berg', 'Erin Evans', 'Frank Fischer', 'Gina Green']);
    const status = (page: Page, name: string) =>
      page.$(`section.person:has(h2 a:contains("${name}")) .status`).text().replace(/\s+/g, ' ').trim();
    expect(status(list, 'Alice Andersen')).toBe('Associated (loaded with the directory)');
    expect(status(list, 'Erin Evans')).toBe('Not invited');
    expect(status(list, 'Gina Green')).toBe('Disabled');
    expect(list.$('a[href="/account/organisation/add"]').length).toBe(1);

    const disabled = await alice.browser.go(url('?status=disabled&q='));
    expect(people(disabled)).toEqual(['Gina Green']);
    expect(disabled.$('#status option[selected]').attr('value')).toBe('disabled');
    expect(people(await alice.browser.go(url('?status=&q=FABRIKAM.example')))).toEqual(['Bob Berg', 'Frank Fischer']);
    const bad = await alice.browser.go(url('?status=everyone'));
    expect(bad.status).toBe(400);

    // Sixty more people: three pages, each "Next page" link going on from the last person shown.
    for (let i = 0; i < 60; i++) {
      const n = String(i).padStart(2, '0');
      await broker.services.admin.directory.createProfile(OPERATOR, {
        id: `prf-zz-${n}`,
        organisationId: 'org-contoso',
        displayName: `Zed ${n}`,
        email: `zed.${i}@contoso.example`,
        role: 'professional',
      });
    }
    const seen: string[] = [];
    let page: Page = await alice.browser.go(url('?q=zed'));
    for (;;) {
      seen.push(...people(page));
      const next = page.$('a[rel="next"]').attr('href');
      if (!next) break;
      expect(next).toContain('q=zed');
      page = await alice.browser.go(`${broker.issuer}${next}`);
    }
    expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => `Zed ${String(i).padStart(2, '0')}`));
  });

  it('gives a professional the 403 page on every organisation page and form, and no link to them', async () => {
    const bob = await consoleAs(broker.issuer, 'bob', 'prf-bob-contoso');
    expect(bob.page.$('a[href="/account/organisation"]').length).toBe(0);
    const before = await snapshot();
    for (const path of ['', '/add', '/add-several', ...personPages('prf-erin-contoso')]) {
      const shown = await bob.browser.go(url(path));
      expect({ path, status: shown.status }).toEqual({ path, status: 403 });
      expect(shown.$('.message').text()).toContain(
        "Only your organisation's administrator can see and manage its people",
      );
    }
    for (const [path, fields] of [...addForms, ...personForms('prf-erin-contoso')]) {
      const posted = await post(bob.browser, path, { csrf: bob.csrf, ...fields });
      expect({ path, status: posted.status }).toEqual({ path, status: 403 });
    }
    expect(await snapshot()).toEqual(before);
  });

  it("answers 404 for another organisation's person on every page and form, exactly as for nobody, and changes nothing", async () => {
    const alice = await consoleAs(broker.issuer, 'alice');
    const before = await snapshot();
    for (const other of ['prf-bob-fabrikam', 'prf-frank-fabrikam', 'prf-carol-northwind', 'prf-nobody']) {
      for (const path of personPages(other)) {
        const shown = await alice.browser.go(url(path));
        expect({ path, status: shown.status }).toEqual({ path, status: 404 });
        expect(shown.$('.message').text()).toBe(
          "There is no such person in your organisation. Go back to the list of your organisation's people and choose them there.",
        );
      }
      for (const [path, fields] of personForms(other)) {
        const posted = await post(alice.browser, path, { csrf: alice.csrf, ...fields });
        expect({ path, status: posted.status }).toEqual({ path, status: 404 });
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses forged forms (no token, another session’s token, another site) and changes nothing', async () => {
    const alice = await consoleAs(broker.issuer, 'alice');
    const other = await consoleAs(broker.issuer, 'bob', 'prf-bob-fabrikam');
    const before = await snapshot();
    const forms = [...addForms, ...personForms('prf-erin-contoso'), ...personForms('prf-bob-contoso')];
    for (const [path, fields] of forms) {
      const noToken = await post(alice.browser, path, fields);
      expect({ path, status: noToken.status }).toEqual({ path, status: 400 });
      const othersToken = await post(alice.browser, path, { csrf: other.csrf, ...fields });
      expect({ path, status: othersToken.status }).toEqual({ path, status: 403 });
      expect(othersToken.$('.message').text()).toContain('This form is out of date or did not come from this page');
      const elsewhere = await post(
        alice.browser,
        path,
        { csrf: alice.csrf, ...fields },
        { origin: 'https://evil.example' },
      );
      expect({ path, status: elsewhere.status }).toEqual({ path, status: 403 });
      expect(elsewhere.$('.message').text()).toBe('This form was sent from another site, so it was ignored.');
    }
    expect(await snapshot()).toEqual(before);
    await expect(broker.services.admin.directory.listProfiles({ q: 'Forged' }, { limit: 5 })).resolves.toMatchObject({
      items: [],
    });
  });

  it("shows a read-only organisation's people with the reason, offers no change and refuses one posted", async () => {
    const carol = await consoleAs(broker.issuer, 'carol');
    const list = await carol.browser.go(url(''));
    expect(list.status).toBe(200);
    expect(list.$('#read-only').text().replace(/\s+/g, ' ')).toContain(
      "You can see your organisation's people but not change them. Its service contract ended on June 30, 2025.",
    );
    expect(list.$('#read-only').text()).toContain('quote account C-100412');
    expect(list.$('a[href="/account/organisation/add"]').length).toBe(0);
    const own = await carol.browser.go(url('/people/prf-carol-northwind'));
    expect(own.$('main form').length).toBe(0);
    expect(own.$('#read-only').length).toBe(1);
    const before = await snapshot();
    for (const [path, fields] of [...addForms, ...personForms('prf-carol-northwind')]) {
      const posted = await post(carol.browser, path, { csrf: carol.csrf, ...fields });
      expect({ path, status: posted.status }).toEqual({ path, status: 403 });
      expect(posted.$('.message').text()).toContain("Your organisation's service contract ended on June 30, 2025");
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe('the "Our organisation" pages: changes', () => {
  it('adds a professional, with the field errors on the form first, and shows the invitation reference', async () => {
    const alice = await consoleAs(broker.issuer, 'alice');
    const form = await alice.browser.go(url('/add'));
    const bad = await alice.browser.submit(form, 'form[action="/account/organisation/add"]', {
      display_name: '  ',
      email: 'not-an-address',
    });
    expect(bad.status).toBe(400);
    expect(bad.$('#display_name-error').text()).toBe('The name is empty.');
    expect(bad.$('#email-error').text()).toBe('Enter an email address, like name@example.com.');
    expect(bad.$('#email').attr('value')).toBe('not-an-address');
    const added = await alice.browser.submit(bad, 'form[action="/account/organisation/add"]', {
      display_name: 'Hanna Holm',
      email: ' Hanna.Holm@Contoso.example ',
    });
    expect(added.$('h1').text()).toBe('Professional added and invited');
    const reference = added.$('.reference strong').text();
    const [event] = await broker.services.audit.query({ action: 'association.invited', limit: 1 });
    expect(event).toMatchObject({ id: reference, actor: 'profile:prf-alice-contoso' });
    expect(added.text).toContain('An invitation was sent to hanna.holm@contoso.example');
    // The same address again: refused with the use case's words, nobody added.
    const again = await post(alice.browser, '/add', {
      csrf: alice.csrf,
      display_name: 'Hanna Again',
      email: 'hanna.holm@contoso.example',
    });
    expect(again.status).toBe(409);
    expect(again.$('.message').text()).toContain('already has a profile with this email');
  });

  it('adds several from pasted lines: a dry run first, then the same lines for real', async () => {
    const alice = await consoleAs(broker.issuer, 'alice');
    const form = await alice.browser.go(url('/add-several'));
    const empty = await alice.browser.submit(form, 'form[action="/account/organisation/add-several"]', { lines: ' ' });
    expect(empty.status).toBe(400);
    expect(empty.$('#lines-error').text()).toContain('Paste at least one line');
    const lines = 'Ivo Ivanov, ivo.ivanov@contoso.example\nErin Again, erin.evans@contoso.example\nno address here';
    const preview = await alice.browser.submit(form, 'form[action="/account/organisation/add-several"]', { lines });
    expect(preview.$('h1').text()).toBe('Check before adding');
    expect(preview.$('ol.rows li').length).toBe(3);
    expect(preview.$('ol.rows li').first().text()).toContain('will be added and invited');
    expect(preview.$('ol.rows li').eq(1).text()).toContain('Erin Evans of your organisation already has this email');
    expect(
      (await broker.services.admin.directory.listProfiles({ email: 'ivo.ivanov@contoso.example' }, { limit: 5 })).items
        .length,
    ).toBe(0);
    const report = await alice.browser.submit(preview, 'form:has(input[name="apply"])');
    expect(report.$('h1').text()).toBe('Professionals added');
    expect(report.$('ol.rows li').first().text()).toMatch(/added, invitation reference \S+/);
    expect(
      (await broker.services.admin.directory.listProfiles({ email: 'ivo.ivanov@contoso.example' }, { limit: 5 })).items
        .length,
    ).toBe(1);
  });

  it("gives each line's reason in the page's language", async () => {
    const alice = await consoleAs(broker.issuer, 'alice');
    alice.browser.extraHeaders = { 'accept-language': 'de' };
    const form = await alice.browser.go(url('/add-several'));
    const lines = [
      'Erin Again, erin.evans@contoso.example',
      'no address here',
      'Ivo, not-an-address',
      ', leer@contoso.example',
      'Uma Ulm, uma.ulm@contoso.example',
      'Uma Ulm, uma.ulm@contoso.example',
    ].join('\n');
    const preview = await alice.browser.submit(form, 'form[action="/account/organisation/add-several"]', { lines });
    const rows = preview
      .$('ol.rows li')
      .map((_, li) => preview.$(li).text().replace(/\s+/g, ' ').trim())
      .get();
    expect(rows).toEqual([
      'wird nicht hinzugefügt: Erin Evans aus Ihrer Organisation hat diese E-Mail-Adresse bereits',
      'wird nicht hinzugefügt: die Zeile hat 1 Feld; eine Zeile enthält einen Namen und eine E-Mail-Adresse, durch ein Komma getrennt',
      'wird nicht hinzugefügt: die E-Mail-Adresse ist ungültig',
      'wird nicht hinzugefügt: der Name ist leer',
      'uma.ulm@contoso.example: wird hinzugefügt und eingeladen',
      'uma.ulm@contoso.example: keine Änderung (wie Zeile 5)',
    ]);
  });

  it('corrects an email, disables and enables, removes an association after confirming, each with its page', async () => {
    const alice = await consoleAs(broker.issuer, 'alice');
    const erin = await alice.browser.go(url('/people/prf-erin-contoso'));
    const badEmail = await alice.browser.submit(erin, 'form[action$="/email"]', { email: 'erin@' });
    expect(badEmail.status).toBe(400);
    expect(badEmail.$('#email-error').text()).toContain('Enter an email address');
    const corrected = await alice.browser.submit(badEmail, 'form[action$="/email"]', {
      email: 'erin.e@contoso.example',
    });
    expect(corrected.$('h1').text()).toBe('Email corrected');
    expect((await broker.services.admin.directory.getProfile('prf-erin-contoso')).email).toBe('erin.e@contoso.example');

    const disabled = await alice.browser.submit(erin, 'form[action$="/status"]');
    expect(disabled.$('h1').text()).toBe('Disabled');
    const enabled = await alice.browser.submit(
      await alice.browser.go(url('/people/prf-erin-contoso')),
      'form[action$="/status"]',
    );
    expect(enabled.$('h1').text()).toBe('Enabled');

    // Bob has associated: his email is support's to change, and his association can be removed.
    const bob = await alice.browser.go(url('/people/prf-bob-contoso'));
    expect(bob.$('form[action$="/email"]').length).toBe(0);
    expect(bob.text).toContain('so their registered email is changed by support');
    const refused = await post(alice.browser, '/people/prf-bob-contoso/email', {
      csrf: alice.csrf,
      email: 'bob@contoso.example',
    });
    expect(refused.status).toBe(409);
    expect(refused.$('.message').text()).toContain('To change it, contact');
    const confirm = await alice.browser.go(url('/people/prf-bob-contoso/remove'));
    expect(confirm.$('h1').text()).toBe('Remove Bob Berg’s association?');
    const removed = await alice.browser.submit(confirm, 'form[action$="/remove"]');
    expect(removed.$('h1').text()).toBe('Association removed');
    const [event] = await broker.services.audit.query({ action: 'association.removed', limit: 1 });
    expect(event).toMatchObject({
      id: removed.$('.reference strong').text(),
      actor: 'profile:prf-alice-contoso',
      details: { reason: 'They left the organisation' },
    });
    expect(await broker.services.redeem.associations.findByProfile('prf-bob-contoso')).toBeUndefined();
  });
});

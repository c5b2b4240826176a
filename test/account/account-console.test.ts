import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { consoleAs } from '../support/account.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { signInUpstream } from '../support/flows.ts';
import { createPortal } from '../support/portal.ts';

let broker: TestBroker;

beforeAll(async () => {
  broker = await startBroker();
});
afterAll(() => broker.close());

const removeForm = (profileId: string) => `form[action="/account/profiles/${profileId}/remove"]`;

describe('the account console', () => {
  it('sends a browser without a session to the broker to sign in, and never shows a page to it', async () => {
    const browser = new Browser();
    const first = await browser.request(`${broker.issuer}/account`);
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/account/sign-in');
    const confirm = await browser.request(`${broker.issuer}/account/profiles/prf-alice-contoso/remove`);
    expect(confirm.headers.get('location')).toBe('/account/sign-in');
    const signIn = await browser.request(`${broker.issuer}/account/sign-in`);
    expect(new URL(signIn.headers.get('location')!).searchParams.get('client_id')).toBe('account-console');
  });

  it('gives the signed-in session a new id: one planted in the browser before sign-in holds nothing', async () => {
    const browser = new Browser();
    await browser.request(`${broker.issuer}/account/sign-in`);
    const jar = async () => {
      const id = await browser.cookie(`${broker.issuer}/account`, 'account_console');
      const sig = await browser.cookie(`${broker.issuer}/account`, 'account_console.sig');
      return `account_console=${id!.value}; account_console.sig=${sig!.value}`;
    };
    // What an attacker would have planted: a session id (with its signature) they got from the console themselves.
    const planted = await jar();
    const page = await signInUpstream(browser, await browser.go(`${broker.issuer}/account`), 'alice');
    expect(page.$('h1').text()).toBe('My account');
    expect(await jar()).not.toBe(planted);
    const withPlanted = await fetch(`${broker.issuer}/account`, { redirect: 'manual', headers: { cookie: planted } });
    expect(withPlanted.status).toBe(302);
    expect(withPlanted.headers.get('location')).toBe('/account/sign-in');
    const withOwn = await fetch(`${broker.issuer}/account`, { redirect: 'manual', headers: { cookie: await jar() } });
    expect(withOwn.status).toBe(200);
  });

  it('answers 400, not an error page of its own, to a path that is not a profile id', async () => {
    const { browser } = await consoleAs(broker.issuer, 'alice');
    const page = await browser.go(`${broker.issuer}/account/profiles/${'x'.repeat(300)}/remove`);
    expect(page.status).toBe(400);
    expect(broker.logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('refuses associate=another from a portal: only the console sends people to that step', async () => {
    const portal = await createPortal(broker.issuer);
    const { url } = await portal.authorizationUrl({ associate: 'another', prompt: 'select_account' });
    const answer = await new Browser().go(url, { stopAt: [portal.redirectUri] });
    expect(new URL(answer.stopped!).searchParams.get('error')).toBe('invalid_request');
  });

  it("answers 404 for another person's profile, on the confirmation page and on the form", async () => {
    const { browser, page } = await consoleAs(broker.issuer, 'alice');
    const csrf = page.$('form[action="/account/sign-out"] input[name="csrf"]').attr('value')!;
    for (const other of ['prf-bob-contoso', 'prf-bob-fabrikam', 'prf-nobody']) {
      const shown = await browser.go(`${broker.issuer}/account/profiles/${other}/remove`);
      expect(shown.status).toBe(404);
      expect(shown.text).toContain('not associated with the account you are signed in with');
      const posted = await browser.go(`${broker.issuer}/account/profiles/${other}/remove`, {
        method: 'POST',
        body: new URLSearchParams({ csrf }),
      });
      expect(posted.status).toBe(404);
    }
    await expect(broker.services.admin.support.showAssociation('prf-bob-contoso')).resolves.toBeDefined();
  });

  it('refuses a forged form (no token, another session’s token) and removes nothing', async () => {
    const bob = await consoleAs(broker.issuer, 'bob', 'prf-bob-contoso');
    const alice = await consoleAs(broker.issuer, 'alice');
    const alicesToken = alice.page.$('form[action="/account/sign-out"] input[name="csrf"]').attr('value')!;
    const confirm = await bob.browser.go(`${broker.issuer}/account/profiles/prf-bob-fabrikam/remove`);
    expect(confirm.$(removeForm('prf-bob-fabrikam')).length).toBe(1);
    for (const csrf of [undefined, alicesToken]) {
      const forged = await bob.browser.go(`${broker.issuer}/account/profiles/prf-bob-fabrikam/remove`, {
        method: 'POST',
        body: new URLSearchParams(csrf ? { csrf } : {}),
      });
      expect(forged.status).toBe(csrf ? 403 : 400);
    }
    const fromElsewhere = await bob.browser.go(`${broker.issuer}/account/profiles/prf-bob-fabrikam/remove`, {
      method: 'POST',
      body: new URLSearchParams({
        csrf: confirm.$(`${removeForm('prf-bob-fabrikam')} input[name="csrf"]`).val() as string,
      }),
      headers: { origin: 'https://attacker.example' },
    });
    expect(fromElsewhere.status).toBe(403);
    await expect(broker.services.admin.support.showAssociation('prf-bob-fabrikam')).resolves.toBeDefined();

    const removed = await bob.browser.submit(confirm, removeForm('prf-bob-fabrikam'));
    expect(removed.$('h1').text()).toBe('Profile removed from your account');
  });

  it('asks a session whose profile was disabled since to sign in again', async () => {
    const { browser } = await consoleAs(broker.issuer, 'carol');
    await broker.services.admin.directory.setProfileStatus(
      { actor: 'operator:test', holds: [] },
      'prf-carol-northwind',
      'disabled',
    );
    const again = await browser.request(`${broker.issuer}/account`);
    expect(again.headers.get('location')).toBe('/account/sign-in');
  });
});

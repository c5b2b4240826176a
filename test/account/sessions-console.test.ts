import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { consoleAs } from '../support/account.ts';
import { signIn } from '../support/flows.ts';
import { createPortal, type Portal } from '../support/portal.ts';

let broker: TestBroker;
let portal: Portal;
beforeAll(async () => {
  broker = await startBroker();
  portal = await createPortal(broker.issuer);
});
afterAll(() => broker.close());

const sessionsPage = (browser: Browser) => browser.go(`${broker.issuer}/account/sessions`);

describe('"Where you\'re signed in" on My account', () => {
  it("lists the account's sessions with their portals, and signs out another browser's", async () => {
    const elsewhere = new Browser();
    await signIn(elsewhere, portal, 'bob', { pick: 'prf-bob-fabrikam' });
    const { browser } = await consoleAs(broker.issuer, 'bob', 'prf-bob-contoso');
    const page = await sessionsPage(browser);
    expect(page.$('h1').text()).toBe("Where you're signed in");
    const cards = page.$('ul.sessions li');
    expect(cards.length).toBe(2);
    const mine = cards.filter((_, el) => page.$(el).find('.tag').text() === 'this browser');
    expect(mine.length).toBe(1);
    expect(mine.text()).toContain('My account');
    const other = cards.filter((_, el) => page.$(el).find('.tag').length === 0);
    expect(other.text()).toContain('Test portal');

    const done = await browser.submit(page, `form[action="${other.find('form').attr('action')}"]`);
    expect(done.url).toBe(`${broker.issuer}/account/sessions?ended=1`);
    expect(done.text).toContain('The session was signed out');
    expect(done.$('ul.sessions li').length).toBe(1);
    // The other browser's broker session is gone: a silent sign-in there needs a login.
    const { url } = await portal.authorizationUrl({ prompt: 'none' });
    const silent = await elsewhere.go(url, { stopAt: [portal.redirectUri] });
    expect(new URL(silent.stopped!).searchParams.get('error')).toBe('login_required');
  });

  it("signing out this browser's own session ends the console too, and the next sign-in asks for the password", async () => {
    const { browser } = await consoleAs(broker.issuer, 'alice');
    const page = await sessionsPage(browser);
    const mine = page.$('ul.sessions li').filter((_, el) => page.$(el).find('.tag').text() === 'this browser');
    const done = await browser.submit(page, `form[action="${mine.find('form').attr('action')}"]`);
    expect(done.url).toBe(`${broker.issuer}/account/signed-out`);
    expect(await browser.cookie(broker.issuer, 'broker.signed_out')).toBeDefined();
    const again = await browser.go(`${broker.issuer}/account`);
    expect(again.url).toContain('/interaction/');
  });

  it('refuses a forged form (403), another account’s session (404), and sends a visitor to sign in', async () => {
    const theirs = new Browser();
    await signIn(theirs, portal, 'alice');
    const aliceConsole = await consoleAs(broker.issuer, 'alice');
    const theirId = (await sessionsPage(aliceConsole.browser))
      .$('ul.sessions form')
      .first()
      .attr('action')!
      .split('/')[3]!;

    const { browser, csrf } = await consoleAs(broker.issuer, 'bob', 'prf-bob-contoso');
    const forged = await browser.go(`${broker.issuer}/account/sessions/${theirId}/end`, {
      method: 'POST',
      body: new URLSearchParams({ csrf: 'forged' }),
    });
    expect(forged.status).toBe(403);
    const notTheirs = await browser.go(`${broker.issuer}/account/sessions/${theirId}/end`, {
      method: 'POST',
      body: new URLSearchParams({ csrf }),
    });
    expect(notTheirs.status).toBe(404);
    expect(notTheirs.text).toContain('That session has ended already, or it is not one of yours');
    // Alice's sessions are all still there.
    expect((await sessionsPage(aliceConsole.browser)).$('ul.sessions li').length).toBe(2);

    const visitor = await new Browser().go(`${broker.issuer}/account/sessions`);
    expect(visitor.url).toContain('/interaction/');
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { signInUpstream } from '../support/flows.ts';
import { waitUntil } from '../support/wait.ts';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(() => broker.close());

describe('the demo portal', () => {
  it('says on the home page which stores this broker runs on', async () => {
    // Each test project runs its brokers on other stores: this also proves a project reached the ones it started.
    const expected =
      {
        shared: 'Stores: Redis and MongoDB.',
        cluster: 'Stores: Redis Cluster and MongoDB.',
      }[process.env.TEST_STORES ?? ''] ?? 'Stores: memory (this process only).';
    const home = await new Browser().go(`${broker.issuer}/`);
    expect(home.$('li:contains("Stores:")').text()).toContain(expected);
  });

  it('tells a person who cancelled at the broker what happened in a sentence, the code only as a detail', async () => {
    const browser = new Browser();
    const signInPage = await browser.go(`${broker.issuer}/demo/customer-portal/login`);
    expect(signInPage.$('h1').text()).toBe('Sign in to Customer portal');
    const back = await browser.submit(signInPage, 'form[action$="/abort"]');
    expect(back.url).toBe(`${broker.issuer}/demo/customer-portal/`);
    const alert = back.$('.alert[role="alert"]');
    expect(alert.find('p').first().text()).toBe(
      'You cancelled the sign-in, so you are not signed in. Sign in again whenever you are ready.',
    );
    expect(alert.find('code').text()).toBe('access_denied');
  });

  it("shows the home page's no-dead-end walk: a customer address at the partner portal gets an email saying why", async () => {
    const browser = new Browser();
    const login = await browser.go(`${broker.issuer}/demo/partner-portal/login`);
    const emailPage = await signInUpstream(browser, login, 'erin');
    const sent = await browser.submit(emailPage, 'form[action$="/associate"]', { email: 'erin.evans@contoso.example' });
    expect(sent.$('h1').text()).toBe('Check your email');
    const subject = 'Why no sign-in link was sent for Partner portal';
    // The email goes out a moment after the page answered: read the mailbox until it is there, as a person would.
    let href: string | undefined;
    await waitUntil(
      async () => {
        const mailbox = await browser.go(`${broker.issuer}/dev/mailbox`);
        href = mailbox.$(`a:contains("${subject}")`).attr('href');
        return href !== undefined;
      },
      15_000,
      'the why-no-link email in the demo mailbox',
    );
    const message = await browser.go(new URL(href!, broker.issuer).href);
    expect(message.text).toContain('Partner portal is not for customer profiles.');
    expect(message.text).toContain('You can use this profile with:');
    expect(message.text).toContain('Customer portal');
  });
});

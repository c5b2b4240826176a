import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(() => broker.close());

describe('the demo portal', () => {
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
});

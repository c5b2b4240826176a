import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { completeAssociation, signInUpstream } from '../support/flows.ts';
import { createPortal } from '../support/portal.ts';
import { linkIn, startSmtp, type SmtpCapture } from '../support/smtp.ts';

let smtp: SmtpCapture;
let broker: TestBroker;

beforeAll(async () => {
  smtp = await startSmtp();
  broker = await startBroker({ mail: { smtpUrl: smtp.url, retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 } } });
});
afterAll(async () => {
  await broker.close();
  await smtp.close();
});

describe('"Associate another profile" from the account console', () => {
  it("starts the broker's registered-email step for the signed-in account, and waits for a new profile", async () => {
    const browser = new Browser();
    const overview = await signInUpstream(browser, await browser.go(`${broker.issuer}/account`), 'alice');
    const start = overview.$('a[href="/account/sign-in?associate=1"]');
    expect(start.text()).toBe('Associate another profile');

    // The broker session is enough: no second upstream sign-in, straight to the email step.
    const emailPage = await browser.go(`${broker.issuer}${start.attr('href')}`);
    expect(emailPage.$('h1').text()).toBe('Associate another profile');
    expect(emailPage.text).toContain('is associated with a profile already');
    const sent = await browser.submit(emailPage, 'form[action$="/associate"]', { email: 'erin.evans@contoso.example' });
    expect(sent.$('h1').text()).toBe('Check your email');

    // Alice's own profile does not end the wait: only one she did not hold when she asked does.
    const status = `${broker.issuer}${sent.$('[data-association-status]').attr('data-association-status')}`;
    const ready = async () => ((await (await browser.request(status)).json()) as { ready: boolean }).ready;
    expect(await ready()).toBe(false);
    const waiting = await browser.go(sent.url);
    expect(waiting.$('h1').text()).toBe('Check your email');

    await smtp.waitFor(() => smtp.to('erin.evans@contoso.example').length === 1);
    const link = linkIn(smtp.to('erin.evans@contoso.example')[0]!, broker.issuer);
    const associated = await completeAssociation(new Browser(), link, 'alice');
    expect(associated.$('h1').text()).toBe('Your account is now associated');
    expect(await ready()).toBe(true);

    // The waiting tab carries on: the picker, with the new profile chosen, then the console.
    const picker = await browser.go(sent.url);
    expect(picker.$('h1').text()).toBe('Choose a profile');
    expect(picker.$('input[name="profile"][checked]').val()).toBe('prf-erin-contoso');
    const back = await browser.submit(picker, 'form[action$="/select"]');
    expect(back.url).toBe(`${broker.issuer}/account`);
    expect(
      back
        .$('section.profile-card h2')
        .map((_, h) => back.$(h).text().trim())
        .get(),
    ).toEqual(['Contoso Pharmaceuticals', 'Contoso Pharmaceuticals signed in as this profile']);
  });

  it('leads back to the console when the person changes their mind', async () => {
    const browser = new Browser();
    await signInUpstream(browser, await browser.go(`${broker.issuer}/account`), 'carol');
    const emailPage = await browser.go(`${broker.issuer}/account/sign-in?associate=1`);
    expect(emailPage.$('h1').text()).toBe('Associate another profile');
    const back = await browser.submit(emailPage, 'form[action$="/abort"]');
    expect(back.url).toBe(`${broker.issuer}/account`);
    expect(back.$('h1').text()).toBe('My account');
  });

  it('refuses any other value of the parameter', async () => {
    const portal = await createPortal(broker.issuer);
    const { url } = await portal.authorizationUrl({ associate: 'everything' });
    const answer = await new Browser().go(url, { stopAt: [portal.redirectUri] });
    expect(new URL(answer.stopped!).searchParams.get('error')).toBe('invalid_request');
  });
});

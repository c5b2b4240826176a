import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { signInUpstream } from '../support/flows.ts';
import { waitUntil } from '../support/wait.ts';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker({ demo: { webhookInbox: true } });
});
afterAll(() => broker.close());

describe("the demo's webhook inbox", () => {
  it('receives the sign-in at a demo portal as a signed webhook, verified as a subscriber verifies it', async () => {
    const browser = new Browser();
    const portal = await signInUpstream(
      browser,
      await browser.go(`${broker.issuer}/demo/customer-portal/login`),
      'alice',
    );
    expect(portal.text).toContain('Signed in as');
    let inbox = await browser.go(`${broker.issuer}/dev/webhooks`);
    await waitUntil(
      async () => {
        inbox = await browser.go(`${broker.issuer}/dev/webhooks`);
        return inbox.text.includes('sign_in.succeeded');
      },
      15_000,
      'the sign-in in the inbox',
    );
    const entry = inbox
      .$('li.profile-card')
      .filter((_, el) => inbox.$(el).find('h2').text().includes('sign_in.succeeded'));
    expect(entry.find('.tag').text()).toBe('signature verified');
    expect(JSON.parse(entry.find('pre').text())).toMatchObject({
      type: 'sign_in.succeeded',
      data: { profile_id: 'prf-alice-contoso', client_id: 'customer-portal' },
    });
    expect(broker.logs.filter((l) => l.event === 'demo.webhook_inbox_not_subscribed')).toEqual([]);
  });

  it('refuses a request whose signature does not verify, and shows it as refused', async () => {
    const forged = await fetch(`${broker.issuer}/dev/webhooks/receive`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'forged-1',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': 'v1,bm90IGEgc2lnbmF0dXJl',
      },
      body: JSON.stringify({ type: 'profile.disabled', timestamp: new Date().toISOString(), data: {} }),
    });
    expect(forged.status).toBe(400);
    const inbox = await new Browser().go(`${broker.issuer}/dev/webhooks`);
    const entry = inbox.$('li.profile-card').filter((_, el) => inbox.$(el).text().includes('forged-1'));
    expect(entry.find('.tag').text()).toBe('signature refused');
  });
});

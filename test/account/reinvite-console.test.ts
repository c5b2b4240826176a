import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { consoleAs } from '../support/account.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { startSmtp, type SmtpCapture } from '../support/smtp.ts';

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

const inviteForm = (profileId: string) => `form[action="/account/profiles/${profileId}/invite"]`;

describe('"Use a different account for this profile" in the account console', () => {
  it('explains what happens, then sends an invitation to the registered email, changing nothing yet', async () => {
    const { browser, page } = await consoleAs(broker.issuer, 'bob', 'prf-bob-contoso');
    const links = page.$('a[href$="/invite"]');
    expect(links.map((_, a) => page.$(a).attr('href')).get()).toEqual([
      '/account/profiles/prf-bob-contoso/invite',
      '/account/profiles/prf-bob-fabrikam/invite',
    ]);
    expect(links.first().text()).toBe('Use a different account for this profile');

    const confirm = await browser.go(`${broker.issuer}/account/profiles/prf-bob-fabrikam/invite`);
    expect(confirm.$('h1').text()).toBe('Use a different account for this profile?');
    for (const fact of [
      'An invitation goes to bob.berg@fabrikam.example',
      'Whoever opens it from that mailbox and signs in takes the profile',
      'this account no longer signs in as the profile',
      'A notice then goes to bob.berg@fabrikam.example',
    ])
      expect(confirm.text).toContain(fact);

    const sent = await browser.submit(confirm, inviteForm('prf-bob-fabrikam'));
    expect(sent.$('h1').text()).toBe('Invitation sent');
    const reference = sent.$('.reference strong').text();
    await smtp.waitFor(() => smtp.to('bob.berg@fabrikam.example').some((m) => m.text?.includes(reference)));
    const invitation = smtp.to('bob.berg@fabrikam.example').find((m) => m.text?.includes(reference))!;
    expect(invitation.subject).toBe('You are invited to sign in for Fabrikam Consulting (P-200871)');
    const [event] = await broker.services.audit.query({ action: 'association.invited', limit: 1 });
    expect(event).toMatchObject({ id: reference, actor: 'profile:prf-bob-contoso', profileId: 'prf-bob-fabrikam' });
    await expect(broker.services.admin.support.showAssociation('prf-bob-fabrikam')).resolves.toMatchObject({
      upstream: 'demo',
    });
  });

  it("answers 404 for another person's profile and refuses a forged form; nothing is sent", async () => {
    const { browser, page } = await consoleAs(broker.issuer, 'alice');
    const csrf = page.$('form[action="/account/sign-out"] input[name="csrf"]').attr('value')!;
    const before = smtp.messages.length;
    for (const other of ['prf-bob-contoso', 'prf-erin-contoso', 'prf-nobody']) {
      const shown = await browser.go(`${broker.issuer}/account/profiles/${other}/invite`);
      expect(shown.status).toBe(404);
      expect(shown.text).toContain('not associated with the account you are signed in with');
      const posted = await browser.go(`${broker.issuer}/account/profiles/${other}/invite`, {
        method: 'POST',
        body: new URLSearchParams({ csrf }),
      });
      expect(posted.status).toBe(404);
    }
    const forged = await browser.go(`${broker.issuer}/account/profiles/prf-alice-contoso/invite`, {
      method: 'POST',
      body: new URLSearchParams({ csrf: 'x'.repeat(43) }),
    });
    expect(forged.status).toBe(403);
    const anonymous = await new Browser().request(`${broker.issuer}/account/profiles/prf-alice-contoso/invite`);
    expect(anonymous.headers.get('location')).toBe('/account/sign-in');
    expect(smtp.messages.length).toBe(before);
  });
});

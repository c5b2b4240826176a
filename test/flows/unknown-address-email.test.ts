import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { requestAssociation } from '../support/flows.ts';
import { createPortal } from '../support/portal.ts';
import { startSmtp, type SmtpCapture } from '../support/smtp.ts';
import { settled } from '../support/wait.ts';

let smtp: SmtpCapture;
const brokers: TestBroker[] = [];

beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(async () => {
  for (const broker of brokers) await broker.close();
  await smtp.close();
});

async function brokerWith(unknownAddressEmail?: boolean) {
  const generous = { points: 1000, windowSeconds: 3600 };
  const broker = await startBroker({
    mail: { smtpUrl: smtp.url, retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 } },
    support: { name: 'Dynamics support', email: 'help@broker.example' },
    association: {
      resendCooldownSeconds: 0,
      ...(unknownAddressEmail === undefined ? {} : { unknownAddressEmail }),
      limits: { perIdentity: generous, perIp: generous },
    },
  });
  brokers.push(broker);
  const portal = await createPortal(broker.issuer);
  /** Dave asks for links to `email`; the page is "check your email" whatever happens. */
  const ask = async (email: string, username = 'dave') => {
    const { sent } = await requestAssociation(new Browser(), portal, username, email);
    expect(sent.$('h1').text()).toBe('Check your email');
    await settled(broker.services);
  };
  return { broker, ask };
}

describe('an address with no profile', () => {
  it('gets no email by default', async () => {
    const { broker, ask } = await brokerWith();
    expect(broker.services.config.association.unknownAddressEmail).toBe(false);
    await ask('nobody.here@contoso.example');
    expect(smtp.to('nobody.here@contoso.example')).toHaveLength(0);
  });

  it('gets one short email per window when the operator turned it on, whoever asks and however often', async () => {
    const { broker, ask } = await brokerWith(true);
    await ask('nobody.there@contoso.example');
    await ask('nobody.there@contoso.example');
    await ask('nobody.there@contoso.example', 'frank');
    const mails = smtp.to('nobody.there@contoso.example');
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail!.subject).toBe('No profile is registered with this address');
    expect(mail!.text).toContain('Hello,');
    expect(mail!.text).toContain('asked for a link to sign in to Test portal with this email address');
    expect(mail!.text).toContain("ask your organisation's administrator");
    expect(mail!.text).not.toContain('/associate/');
    const reference = /quote reference ([0-9A-F-]{14})/.exec(mail!.text!)![1]!;
    const [event] = await broker.services.audit.query({ action: 'association.unknown_address_told', limit: 5 });
    expect(event).toMatchObject({ id: reference, clientId: 'test-portal', actor: 'person:demo:demo-0004-dave' });
    // The log and the audit event name no address: it belongs to nobody in the directory.
    expect(JSON.stringify(event)).not.toContain('nobody.there');
    expect(JSON.stringify(broker.logs)).not.toContain('nobody.there');
  });

  it('still gets nothing for a registered address: registered addresses get links or the reasons why not', async () => {
    const { ask } = await brokerWith(true);
    await ask('erin.evans@contoso.example');
    const mails = smtp.to('erin.evans@contoso.example');
    expect(mails.map((m) => m.subject)).toEqual(['Associate your sign-in with Contoso Pharmaceuticals (C-104233)']);
  });
});

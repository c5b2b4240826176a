import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ConfigInput } from '../../src/config/schema.ts';
import { createManualClock } from '../../src/shared/clock.ts';
import { Browser } from '../support/browser.ts';
import { brokerCatalogue } from '../support/catalogue.ts';
import { startBroker, type TestBroker } from '../support/broker.ts';
import { requestAssociation } from '../support/flows.ts';
import { createPortal } from '../support/portal.ts';
import { freePort } from '../support/free-port.ts';
import { linkIn, startSmtp, type SmtpCapture } from '../support/smtp.ts';
import { settled, waitUntil } from '../support/wait.ts';

let smtp: SmtpCapture;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(() => smtp.close());

const brokers: TestBroker[] = [];
afterAll(async () => {
  for (const b of brokers) await b.close();
});

async function brokerWith(overrides: ConfigInput = {}, options: Parameters<typeof startBroker>[1] = {}) {
  const broker = await startBroker(
    {
      mail: { smtpUrl: smtp.url, retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 }, timeoutMs: 2000 },
      ...overrides,
    },
    options,
  );
  brokers.push(broker);
  return {
    broker,
    portal: await createPortal(broker.issuer),
    mailTo: (address: string) => smtp.to(address).filter((m) => (m.text ?? '').includes(broker.issuer)),
  };
}

describe('link lifetime', () => {
  it('expires after the configured lifetime (24 h by default)', async () => {
    const clock = createManualClock(new Date());
    const { broker, portal, mailTo } = await brokerWith({}, { clock });
    await requestAssociation(new Browser(), portal, 'dave', 'erin.evans@contoso.example');
    await smtp.waitFor(() => mailTo('erin.evans@contoso.example').length === 1);
    const link = linkIn(mailTo('erin.evans@contoso.example')[0]!, broker.issuer);
    expect(mailTo('erin.evans@contoso.example')[0]!.text).toContain(
      brokerCatalogue().text('en', 'mail.linkExpires', { expires: new Date(clock.now().getTime() + 24 * 3600_000) }),
    );

    clock.advance(24 * 3600_000 - 60_000);
    expect((await new Browser().go(link)).status).toBe(200);
    clock.advance(60_000);
    const expired = await new Browser().go(link);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('This link has expired');
  });
});

describe('parallel completion', () => {
  it('gives exactly one association, one spent link and one notice when two browsers finish the same link at once', async () => {
    const { broker, portal, mailTo } = await brokerWith();
    await requestAssociation(new Browser(), portal, 'dave', 'erin.evans@contoso.example');
    await smtp.waitFor(() => mailTo('erin.evans@contoso.example').length === 1);
    const link = linkIn(mailTo('erin.evans@contoso.example')[0]!, broker.issuer);

    const noticesBefore = smtp
      .to('erin.evans@contoso.example')
      .filter((m) => m.subject?.startsWith('A sign-in account')).length;
    // Both browsers reach the upstream sign-in form first, then submit it at the same moment.
    const prepared = await Promise.all(
      [new Browser(), new Browser()].map(async (browser) => {
        const landing = await browser.go(link);
        return { browser, upstreamLogin: await browser.submit(landing, 'form[action="/associate/continue"]') };
      }),
    );
    const results = await Promise.all(
      prepared.map(({ browser, upstreamLogin }) =>
        browser.submit(upstreamLogin, 'form[action$="/login"]', { username: 'dave', password: 'demo' }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200]);

    const associations = await broker.services.redeem.associations.findByIdentity({
      upstreamId: 'demo',
      subject: 'demo-0004-dave',
    });
    expect(associations.map((a) => a.profileId)).toEqual(['prf-erin-contoso']);
    await settled(broker.services);
    expect(
      smtp.to('erin.evans@contoso.example').filter((m) => m.subject?.startsWith('A sign-in account')).length -
        noticesBefore,
    ).toBe(1);
  });
});

describe('rate limits', () => {
  it('limits requests per upstream identity with a page that says when to try again', async () => {
    const { portal } = await brokerWith({
      association: { resendCooldownSeconds: 0, limits: { perIdentity: { points: 2, windowSeconds: 600 } } },
    });
    const browser = new Browser();
    const { sent } = await requestAssociation(browser, portal, 'dave', 'nobody1@contoso.example');
    const second = await browser.submit(sent, 'form[action$="/associate/resend"]');
    expect(second.$('h1').text()).toBe('Check your email');
    const third = await browser.submit(second, 'form[action$="/associate/resend"]');
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(third.text).toMatch(/Try again in 10 minutes/);
  });

  it('limits requests per client address, whoever asks', async () => {
    const { portal } = await brokerWith({ association: { limits: { perIp: { points: 2, windowSeconds: 3600 } } } });
    await requestAssociation(new Browser(), portal, 'dave', 'nobody2@contoso.example');
    await requestAssociation(new Browser(), portal, 'erin', 'nobody3@contoso.example');
    const { sent } = await requestAssociation(new Browser(), portal, 'frank', 'nobody4@contoso.example');
    expect(sent.status).toBe(429);
    expect(sent.text).toMatch(/Try again in 60 minutes/);
  });

  it('ignores a spoofed X-Forwarded-For without a trusted proxy: the per-IP limit still holds', async () => {
    const { portal } = await brokerWith({ association: { limits: { perIp: { points: 2, windowSeconds: 3600 } } } });
    const results = [];
    for (const [i, user] of ['dave', 'erin', 'frank'].entries()) {
      const browser = new Browser();
      browser.extraHeaders = { 'x-forwarded-for': `203.0.113.${i + 1}` };
      results.push((await requestAssociation(browser, portal, user, `nobody${i}@contoso.example`)).sent.status);
    }
    expect(results).toEqual([200, 200, 429]);
  });

  it('limits emails per recipient silently: the page is the same and nothing more is sent', async () => {
    const { broker, portal, mailTo } = await brokerWith({
      association: { limits: { perRecipientTotal: { points: 1, windowSeconds: 3600 } } },
    });
    const first = await requestAssociation(new Browser(), portal, 'dave', 'erin.evans@contoso.example');
    const second = await requestAssociation(new Browser(), portal, 'frank', 'erin.evans@contoso.example');
    expect(second.sent.status).toBe(first.sent.status);
    // Per-interaction values and the resend countdown (which may cross a second between the two pages) aside.
    const normalised = (html: string) =>
      html
        .replace(/name="csrf" value="[^"]+"/g, '')
        .replace(/\/interaction\/[^/"]+/g, '')
        .replace(/in \d+ seconds?/g, 'in N seconds')
        .replace(/data-countdown="\d+"/g, 'data-countdown="N"');
    expect(normalised(second.sent.$('main').html()!)).toBe(normalised(first.sent.$('main').html()!));
    await settled(broker.services);
    // The first request got its link; the second, held back, got the mailbox one "requests held back" email instead,
    // and a third in the same window adds nothing.
    expect(mailTo('erin.evans@contoso.example').map((m) => m.subject)).toEqual([
      'Associate your sign-in with Contoso Pharmaceuticals (C-104233)',
      'Many requests to sign in with your profile at Contoso Pharmaceuticals (C-104233)',
    ]);
    await requestAssociation(new Browser(), portal, 'dave', 'erin.evans@contoso.example');
    await settled(broker.services);
    expect(mailTo('erin.evans@contoso.example')).toHaveLength(2);
  });

  it("counts the recipient limit per asking account, so a stranger cannot use up the owner's budget", async () => {
    const { broker, portal, mailTo } = await brokerWith({
      association: { resendCooldownSeconds: 0, limits: { perRecipient: { points: 1, windowSeconds: 3600 } } },
    });
    const stranger = new Browser();
    const { sent } = await requestAssociation(stranger, portal, 'dave', 'erin.evans@contoso.example');
    await stranger.submit(sent, 'form[action$="/associate/resend"]');
    await settled(broker.services);
    expect(mailTo('erin.evans@contoso.example')).toHaveLength(1);
    // Erin herself still gets her email.
    await requestAssociation(new Browser(), portal, 'erin', 'erin.evans@contoso.example');
    await settled(broker.services);
    expect(mailTo('erin.evans@contoso.example')).toHaveLength(2);
  });
});

describe('delivery', () => {
  it('retries while SMTP is down and delivers the message once when it comes back', async () => {
    const port = await freePort();
    const { broker, portal } = await brokerWith({
      mail: {
        smtpUrl: `smtp://127.0.0.1:${port}`,
        retry: { attempts: 50, baseDelayMs: 20, maxDelayMs: 100 },
        timeoutMs: 1000,
      },
    });
    const { sent } = await requestAssociation(new Browser(), portal, 'dave', 'erin.evans@contoso.example');
    expect(sent.$('h1').text()).toBe('Check your email');
    await waitUntil(() => broker.logs.some((l) => l.event === 'mail.retry'), 10_000, 'a failed delivery attempt');

    const revived = await startSmtp(port);
    try {
      await revived.waitFor(() => revived.messages.length === 1);
      await settled(broker.services);
      expect(revived.messages).toHaveLength(1);
      expect(revived.messages[0]!.subject).toBe('Associate your sign-in with Contoso Pharmaceuticals (C-104233)');
      expect(await broker.services.delivery.failed()).toHaveLength(0);
    } finally {
      await revived.close();
    }
  });

  it('keeps a message that fails every attempt for operators, logged with its reference', async () => {
    const port = await freePort();
    const { broker, portal } = await brokerWith({
      mail: {
        smtpUrl: `smtp://127.0.0.1:${port}`,
        retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
        timeoutMs: 500,
      },
    });
    await requestAssociation(new Browser(), portal, 'dave', 'erin.evans@contoso.example');
    await waitUntil(
      async () => (await broker.services.delivery.failed()).length === 1,
      10_000,
      'a message given up on',
    );
    const [failed] = await broker.services.delivery.failed();
    expect(failed).toMatchObject({ kind: 'association-link', attempts: 2 });
    expect(broker.logs.find((l) => l.event === 'mail.failed')).toMatchObject({
      level: 'error',
      reference: failed!.reference,
    });
  });
});

describe('refused by the SMTP server', () => {
  async function refusingServer(code: number) {
    const refusing = await startSmtp(0, { refuse: (to) => (to === 'erin.evans@contoso.example' ? code : undefined) });
    const { broker, portal } = await brokerWith({
      mail: { smtpUrl: refusing.url, retry: { attempts: 50, baseDelayMs: 20, maxDelayMs: 50 }, timeoutMs: 2000 },
    });
    return { refusing, broker, portal };
  }
  const logText = (broker: TestBroker) => JSON.stringify(broker.logs);

  it('gives up at once on a permanent (5xx) refusal: the link shows delivery_failed, audited, and no address reaches the log', async () => {
    const { refusing, broker, portal } = await refusingServer(550);
    try {
      await requestAssociation(new Browser(), portal, 'dave', 'erin.evans@contoso.example');
      await waitUntil(
        async () => (await broker.services.delivery.failed()).length === 1,
        10_000,
        'the message given up on',
      );
      const [failed] = await broker.services.delivery.failed();
      expect(failed).toMatchObject({ kind: 'association-link', attempts: 1 });
      expect(failed!.lastError).toContain('[address]');
      expect(broker.logs.filter((l) => l.event === 'mail.retry')).toEqual([]);
      const [link] = await broker.services.redeem.links.listForProfile('prf-erin-contoso');
      await waitUntil(
        async () => (await broker.services.redeem.links.listForProfile('prf-erin-contoso'))[0]!.delivery === 'failed',
        10_000,
        'the link marked failed',
      );
      // The audit event is written after the link's mark: wait for it too.
      const failures = () => broker.services.audit.query({ action: 'mail.delivery_failed', limit: 10 });
      await waitUntil(async () => (await failures()).length > 0, 10_000, 'the failure audited');
      const events = await failures();
      expect(events).toEqual([
        expect.objectContaining({
          outcome: 'failure',
          profileId: 'prf-erin-contoso',
          details: expect.objectContaining({ kind: 'association-link', link: link!.id, permanent: true }),
        }),
      ]);
      expect(JSON.stringify(events)).not.toContain('erin.evans@');
      expect(logText(broker)).toContain('Recipient address rejected');
      expect(logText(broker)).not.toMatch(/erin\.evans@|contoso\.example>/);
    } finally {
      await refusing.close();
    }
  });

  it('retries a server that refuses the connection with a 5xx (a relay refusing the broker for a while): the message is not the problem', async () => {
    let refusing = true;
    const server = await startSmtp(0, { refuseConnection: () => (refusing ? 554 : undefined) });
    try {
      const { broker, portal } = await brokerWith({
        mail: { smtpUrl: server.url, retry: { attempts: 50, baseDelayMs: 20, maxDelayMs: 50 }, timeoutMs: 2000 },
      });
      await requestAssociation(new Browser(), portal, 'dave', 'erin.evans@contoso.example');
      await waitUntil(() => broker.logs.filter((l) => l.event === 'mail.retry').length >= 2, 10_000, 'two retries');
      refusing = false;
      await server.waitFor(() => server.messages.length === 1);
      expect(await broker.services.delivery.failed()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('retries a temporary (4xx) refusal, with the address kept out of the log', async () => {
    const { refusing, broker, portal } = await refusingServer(450);
    try {
      await requestAssociation(new Browser(), portal, 'dave', 'erin.evans@contoso.example');
      await waitUntil(() => broker.logs.filter((l) => l.event === 'mail.retry').length >= 2, 10_000, 'two retries');
      expect(await broker.services.delivery.failed()).toEqual([]);
      expect(logText(broker)).not.toContain('erin.evans@');
    } finally {
      await refusing.close();
    }
  });
});

describe('email content', () => {
  it('escapes HTML from directory data and never lets it inject headers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'broker-seed-'));
    const seed = join(dir, 'directory.json');
    writeFileSync(
      seed,
      JSON.stringify({
        organisations: [
          {
            id: 'o-evil',
            accountNumber: 'C-1\r\nBcc: attacker@evil.test',
            name: '<img src=x onerror=alert(1)> Evil & Co\r\nBcc: attacker@evil.test',
            kind: 'customer',
            contractEndsOn: '2099-12-31',
          },
        ],
        profiles: [
          {
            id: 'p-evil',
            organisationId: 'o-evil',
            email: 'victim@evil-co.example',
            displayName: '<script>alert(1)</script>',
            role: 'professional',
          },
        ],
        associations: [],
      }),
    );
    const { portal, mailTo } = await brokerWith({ directorySeedFile: seed });
    await requestAssociation(new Browser(), portal, 'dave', 'victim@evil-co.example');
    await smtp.waitFor(() => mailTo('victim@evil-co.example').length === 1);
    const mail = mailTo('victim@evil-co.example')[0]!;
    expect(mail.html).not.toContain('<img src=x');
    expect(mail.html).not.toContain('<script>alert(1)');
    expect(mail.html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; Evil &amp; Co');
    expect(mail.bcc).toBeUndefined();
    expect(mail.headers.has('bcc')).toBe(false);
    expect(smtp.to('attacker@evil.test')).toHaveLength(0);
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });
});

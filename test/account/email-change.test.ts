import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { accountHolder } from '../../src/account/account-holder.ts';
import { confirmEmailChange } from '../../src/account/confirm-email-change.ts';
import { hashEmailChangeToken, type EmailChangeDeps } from '../../src/account/email-change.ts';
import { requestEmailChange } from '../../src/account/request-email-change.ts';
import { newLink } from '../../src/association/link.ts';
import { createProfileResolver } from '../../src/directory/admitted-profiles.ts';
import { updateProfile } from '../../src/directory/manage-profiles.ts';
import type { DirectorySeed } from '../../src/directory/seed.ts';
import { createManualClock } from '../../src/shared/clock.ts';
import { AppError } from '../../src/shared/errors.ts';
import { randomToken } from '../../src/shared/ids.ts';
import { createMemoryDeliveryQueue, type DeliveryQueue } from '../../src/mail/delivery-queue.ts';
import { createEmailChangeMail } from '../../src/mail/email-change-mails.ts';
import type { OutgoingMail } from '../../src/mail/outgoing.ts';
import { createMailRenderer } from '../../src/mail/render-mail.ts';
import { brokerCatalogue } from '../support/catalogue.ts';
import { createMemoryAuditLog } from '../../src/stores/memory/audit-log.ts';
import { createMemoryDirectory } from '../../src/stores/memory/directory.ts';
import { createMemoryEmailChangeStore } from '../../src/stores/memory/email-change-store.ts';
import { createMemoryLinkStore } from '../../src/stores/memory/link-store.ts';
import { createMemoryRateLimiter } from '../../src/stores/memory/rate-limiter.ts';
import { waitUntil } from '../support/wait.ts';

const MAIL_DIR = join(import.meta.dirname, '..', '..', 'views', 'mail');
const IP = '203.0.113.7';
const TTL_SECONDS = 24 * 3600;
const active = { status: 'active' as const, kind: 'customer' as const, contractEndsOn: '2099-12-31' };
const SEED: DirectorySeed = {
  organisations: [
    { id: 'org-contoso', accountNumber: 'C-100', name: 'Contoso', ...active },
    { id: 'org-fabrikam', accountNumber: 'C-200', name: 'Fabrikam', ...active },
  ],
  profiles: [
    {
      id: 'p-erin',
      organisationId: 'org-contoso',
      email: 'erin@contoso.example',
      displayName: 'Erin',
      role: 'professional',
      status: 'active',
    },
    {
      id: 'p-frank',
      organisationId: 'org-contoso',
      email: 'frank@contoso.example',
      displayName: 'Frank',
      role: 'administrator',
      status: 'active',
    },
    {
      id: 'p-gina',
      organisationId: 'org-fabrikam',
      email: 'gina@fabrikam.example',
      displayName: 'Gina',
      role: 'professional',
      status: 'active',
    },
  ],
  associations: [],
};

/** The use cases bound to memory stores, as the composition root binds them, with every mail they hand over. */
async function setup(options: { queue?: (sent: OutgoingMail[]) => DeliveryQueue } = {}) {
  const clock = createManualClock(new Date('2027-03-01T09:00:00Z'));
  const directory = createMemoryDirectory(SEED);
  const audit = createMemoryAuditLog();
  const links = createMemoryLinkStore();
  const changes = createMemoryEmailChangeStore();
  const sent: OutgoingMail[] = [];
  const queue = options.queue?.(sent) ?? {
    enqueue: async (mail: OutgoingMail) => void sent.push(mail),
    failed: async () => [],
    requeue: async () => false,
    pending: async () => 0,
    failedCount: async () => 0,
    close: async () => undefined,
  };
  const deps: EmailChangeDeps = {
    directory: {
      directory,
      audit,
      clock,
      mail: { administratorChanged: async () => undefined },
      // As the composition root wires it: a new address ends the links and the pending change made for the old one.
      revokeLinks: async (profileId) => {
        await links.revokeForProfile(profileId);
        await changes.revokeForProfile(profileId);
      },
    },
    profiles: createProfileResolver({ directory, associations: directory, clock }),
    changes,
    mail: createEmailChangeMail({
      renderer: createMailRenderer([MAIL_DIR], brokerCatalogue()),
      queue,
      support: { name: 'Broker support', email: 'support@broker.example' },
    }),
    perProfile: createMemoryRateLimiter({ keyPrefix: randomToken(6), points: 5, windowSeconds: 3600 }),
    ttlSeconds: TTL_SECONDS,
    confirmUrl: (token) => `https://broker.example/account/email/confirm/${token}`,
  };
  for (const [profileId, subject] of [
    ['p-erin', 'sub-erin'],
    ['p-frank', 'sub-frank'],
  ] as const)
    await directory.associate({
      profileId,
      upstreamId: 'demo',
      subject,
      associatedAt: clock.now(),
      account: `${subject[4]}***@outlook.com`,
    });
  const holderOf = async (profileId: string) => (await accountHolder({ profiles: deps.profiles }, profileId))!;
  return { clock, directory, audit, links, changes, sent, deps, holderOf, erin: await holderOf('p-erin') };
}

/** The token a confirmation email carries, as the person's browser would take it from the link. */
function tokenIn(mail: OutgoingMail): string {
  const token = /\/account\/email\/confirm\/([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1];
  expect(token).toBeDefined();
  expect(mail.html).toContain(`/account/email/confirm/${token}`);
  return token!;
}

/** A typed refusal the error handler turns into a page a person can act on (never a 500). */
const refusal = (status: number, code: string) => expect.objectContaining({ status, code, expose: true });

describe('changing the registered email of one’s profile', () => {
  it('mails a link to the new address; opening it changes the email, tells the old address and revokes its links', async () => {
    const { deps, sent, erin, directory, audit, links, clock } = await setup();
    const oldLink = newLink({ profileId: 'p-erin', now: clock.now(), ttlSeconds: 3600 });
    await links.issue(oldLink.link);

    const request = await requestEmailChange(deps, erin, '  Erin.New@Example.ORG ', IP);
    expect(request).toEqual({
      reference: expect.stringMatching(/^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/),
      email: 'erin.new@example.org',
      expiresAt: new Date(clock.now().getTime() + TTL_SECONDS * 1000),
    });
    expect(sent).toHaveLength(1);
    const [confirmation] = sent;
    expect(confirmation).toMatchObject({
      to: 'erin.new@example.org',
      kind: 'email-change-confirm',
      reference: request.reference,
    });
    expect(confirmation!.subject).toBe('Confirm your new email address for Contoso (C-100)');
    // Who asked (the profile, its organisation, the account signed in), until when, and that nothing changes meanwhile.
    for (const fact of [
      'Erin',
      'Contoso',
      'C-100',
      'e***n@contoso.example',
      'e***@outlook.com',
      'March 2, 2027 at 09:00 UTC',
      'Nothing changes unless it is used',
      'support@broker.example',
      request.reference,
    ])
      expect(confirmation!.text).toContain(fact);
    expect((await directory.getProfile('p-erin'))!.email).toBe('erin@contoso.example');

    clock.advance(3600_000);
    const confirmed = await confirmEmailChange(deps, hashEmailChangeToken(tokenIn(confirmation!)), IP);
    expect(confirmed.profile).toMatchObject({ id: 'p-erin', email: 'erin.new@example.org', displayName: 'Erin' });
    expect((await directory.getProfile('p-erin'))!.email).toBe('erin.new@example.org');
    expect((await links.findByTokenHash(oldLink.link.tokenHash))!.status).toBe('revoked');

    expect(sent).toHaveLength(2);
    const notice = sent[1]!;
    expect(notice).toMatchObject({
      to: 'erin@contoso.example',
      kind: 'email-change-notice',
      reference: confirmed.reference,
    });
    for (const fact of [
      'e***w@example.org',
      'Contoso',
      'e***@outlook.com',
      'March 1, 2027 at 10:00 UTC',
      'support@broker.example',
      confirmed.reference,
    ])
      expect(notice.text).toContain(fact);
    expect(notice.text).not.toContain('erin.new@example.org');

    // Two events, both the profile's own acts: the request, and the change the directory recorded under the
    // reference the notice quotes, tied to the request.
    const events = await audit.query({ profileId: 'p-erin', limit: 10 });
    expect(events).toEqual([
      expect.objectContaining({
        id: confirmed.reference,
        action: 'profile.updated',
        actor: 'profile:p-erin',
        ip: IP,
        organisationId: 'org-contoso',
        details: { fields: 'email', via: 'email_change', request: request.reference },
      }),
      expect.objectContaining({
        id: request.reference,
        action: 'profile.email_change_requested',
        actor: 'profile:p-erin',
        ip: IP,
        details: expect.objectContaining({ to: 'e***w@example.org' }),
      }),
    ]);
  });

  it('lets only the newest request be confirmed', async () => {
    const { deps, sent, erin, directory } = await setup();
    await requestEmailChange(deps, erin, 'first@example.org');
    await requestEmailChange(deps, erin, 'second@example.org');
    await expect(confirmEmailChange(deps, hashEmailChangeToken(tokenIn(sent[0]!)))).rejects.toEqual(
      refusal(410, 'email_change_superseded'),
    );
    expect((await directory.getProfile('p-erin'))!.email).toBe('erin@contoso.example');
    await confirmEmailChange(deps, hashEmailChangeToken(tokenIn(sent[1]!)));
    expect((await directory.getProfile('p-erin'))!.email).toBe('second@example.org');
  });

  it('refuses a link past its expiry and changes nothing', async () => {
    const { deps, sent, erin, directory, clock } = await setup();
    await requestEmailChange(deps, erin, 'late@example.org');
    clock.advance(TTL_SECONDS * 1000);
    await expect(confirmEmailChange(deps, hashEmailChangeToken(tokenIn(sent[0]!)))).rejects.toEqual(
      refusal(410, 'email_change_expired'),
    );
    expect((await directory.getProfile('p-erin'))!.email).toBe('erin@contoso.example');
    expect(sent).toHaveLength(1);
  });

  it('changes the email once when the link is opened twice at the same moment', async () => {
    const { deps, sent, erin, audit } = await setup();
    await requestEmailChange(deps, erin, 'race@example.org');
    const tokenHash = hashEmailChangeToken(tokenIn(sent[0]!));
    const outcomes = await Promise.allSettled([
      confirmEmailChange(deps, tokenHash),
      confirmEmailChange(deps, tokenHash),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason)).toEqual([
      refusal(410, 'email_change_used'),
    ]);
    expect(sent.filter((m) => m.kind === 'email-change-notice')).toHaveLength(1);
    expect(await audit.query({ action: 'profile.updated', limit: 10 })).toHaveLength(1);
  });

  it("refuses an address another profile of the organisation has, and accepts one another organisation's profile has", async () => {
    const { deps, sent, erin, changes } = await setup();
    await expect(requestEmailChange(deps, erin, 'Frank@Contoso.example')).rejects.toEqual(
      refusal(409, 'email_address_taken'),
    );
    await expect(requestEmailChange(deps, erin, 'frank@contoso.example')).rejects.toMatchObject({
      details: { organisation: 'Contoso' },
    });
    expect(sent).toHaveLength(0);
    await requestEmailChange(deps, erin, 'gina@fabrikam.example');
    await confirmEmailChange(deps, hashEmailChangeToken(tokenIn(sent[0]!)));
    expect(await changes.findByTokenHash(hashEmailChangeToken(tokenIn(sent[0]!)))).toMatchObject({
      status: 'confirmed',
    });
  });

  it('refuses at confirmation an address a colleague was given meanwhile, and changes nothing', async () => {
    const { deps, sent, erin, directory } = await setup();
    await requestEmailChange(deps, erin, 'shared@contoso.example');
    await updateProfile(deps.directory, { actor: 'admin:support', holds: [] }, 'p-frank', {
      email: 'shared@contoso.example',
      displayName: 'Frank',
    });
    await expect(confirmEmailChange(deps, hashEmailChangeToken(tokenIn(sent[0]!)))).rejects.toEqual(
      refusal(409, 'email_address_taken'),
    );
    expect((await directory.getProfile('p-erin'))!.email).toBe('erin@contoso.example');
    expect(sent).toHaveLength(1);
  });

  it('refuses a change whose old address is no longer registered, or whose requester may no longer act', async () => {
    const { deps, sent, erin, directory, holderOf } = await setup();
    // An import changes the address without the administrators' use case: the request no longer applies.
    await requestEmailChange(deps, erin, 'one@example.org');
    await directory.updateProfile('p-erin', { email: 'imported@contoso.example' });
    await expect(confirmEmailChange(deps, hashEmailChangeToken(tokenIn(sent[0]!)))).rejects.toEqual(
      refusal(409, 'email_change_outdated'),
    );
    expect((await directory.getProfile('p-erin'))!.email).toBe('imported@contoso.example');

    // Support unlinked the profile (its account was taken over, say): what that account asked for never applies.
    await requestEmailChange(deps, await holderOf('p-erin'), 'two@example.org');
    await directory.dissociate('p-erin');
    await expect(confirmEmailChange(deps, hashEmailChangeToken(tokenIn(sent[1]!)))).rejects.toEqual(
      refusal(410, 'email_change_revoked'),
    );

    // An administrator changed the address: the pending change was revoked with the old address's links.
    const frank = await holderOf('p-frank');
    await requestEmailChange(deps, frank, 'frank@example.org');
    await updateProfile(deps.directory, { actor: 'admin:support', holds: [] }, 'p-frank', {
      email: 'frank.b@contoso.example',
      displayName: 'Frank',
    });
    await expect(confirmEmailChange(deps, hashEmailChangeToken(tokenIn(sent[2]!)))).rejects.toEqual(
      refusal(410, 'email_change_revoked'),
    );
    expect((await directory.getProfile('p-frank'))!.email).toBe('frank.b@contoso.example');
  });

  it('answers an unknown link with 404, never a server error', async () => {
    const { deps } = await setup();
    await expect(confirmEmailChange(deps, hashEmailChangeToken(randomToken(32)))).rejects.toEqual(
      refusal(404, 'email_change_unknown'),
    );
  });

  it('refuses an address that is not one, or is the registered one, without spending the budget', async () => {
    const { deps, sent, erin } = await setup();
    for (let i = 0; i < 6; i += 1) {
      await expect(requestEmailChange(deps, erin, 'not an address')).rejects.toEqual(
        refusal(400, 'email_address_invalid'),
      );
      await expect(requestEmailChange(deps, erin, ' ERIN@contoso.example ')).rejects.toEqual(
        refusal(400, 'email_address_unchanged'),
      );
    }
    await requestEmailChange(deps, erin, 'fine@example.org');
    expect(sent).toHaveLength(1);
  });

  it('limits requests per profile, saying how long to wait, and leaves other profiles alone', async () => {
    const { deps, sent, erin, holderOf } = await setup();
    for (let i = 0; i < 5; i += 1) await requestEmailChange(deps, erin, `try${i}@example.org`);
    const refused = await requestEmailChange(deps, erin, 'try5@example.org').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toEqual(refusal(429, 'too_many_email_changes'));
    expect((refused as AppError).details).toMatchObject({ minutes: 60, plural: true });
    expect(sent).toHaveLength(5);
    await requestEmailChange(deps, await holderOf('p-frank'), 'frank@example.org');
    expect(sent).toHaveLength(6);
  });

  it('never puts the token in the audit log, a log line or an error', async () => {
    const lines: string[] = [];
    const delivered: OutgoingMail[] = [];
    const logger = {
      info: (event: string, fields?: object) => lines.push(JSON.stringify({ event, ...fields })),
      warn: (event: string, fields?: object) => lines.push(JSON.stringify({ event, ...fields })),
      error: (event: string, fields?: object) => lines.push(JSON.stringify({ event, ...fields })),
    };
    let queue: DeliveryQueue | undefined;
    const { deps, erin, audit } = await setup({
      queue: () =>
        (queue = createMemoryDeliveryQueue({
          transport: { send: async (mail) => void delivered.push(mail) },
          logger,
          retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
        })),
    });
    await requestEmailChange(deps, erin, 'secret@example.org', IP);
    await waitUntil(() => delivered.length === 1, 10_000, 'confirmation delivered');
    const token = tokenIn(delivered[0]!);
    const tokenHash = hashEmailChangeToken(token);
    await confirmEmailChange(deps, tokenHash, IP);
    const refused = (await confirmEmailChange(deps, tokenHash, IP).then(
      () => undefined,
      (err: unknown) => err,
    )) as AppError;
    expect(refused).toEqual(refusal(410, 'email_change_used'));
    await waitUntil(async () => delivered.length === 2 && (await queue!.pending()) === 0, 10_000, 'notice delivered');

    const events = await audit.query({ limit: 100 });
    expect(events.map((e) => e.action).sort()).toEqual(['profile.email_change_requested', 'profile.updated']);
    expect(lines.length).toBeGreaterThan(0);
    const recorded = JSON.stringify({ events, lines, error: [refused.message, refused.details] });
    expect(recorded).not.toContain(token);
    expect(recorded).not.toContain(tokenHash);
  });
});

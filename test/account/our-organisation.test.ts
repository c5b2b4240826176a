import { join } from 'node:path';
import { DEFAULT_PROFILE_KINDS } from '../../src/directory/profile-kinds.ts';
import { describe, expect, it } from '@jest/globals';
import { addProfessional, addProfessionals } from '../../src/account/add-professionals.ts';
import type { AccountHolder } from '../../src/account/account-holder.ts';
import { handOverAdministrator } from '../../src/account/hand-over-administrator.ts';
import { resendInvitation, revokeInvitation } from '../../src/account/invitations.ts';
import { showPerson } from '../../src/account/organisation-person.ts';
import { listPeople, type PeopleFilter, type Person } from '../../src/account/organisation-people.ts';
import { organisationStanding } from '../../src/account/organisation-standing.ts';
import type { OurOrganisationDeps } from '../../src/account/our-organisation.ts';
import { correctEmail, removeAssociation, setProfessionalStatus } from '../../src/account/professional-changes.ts';
import { newLink } from '../../src/association/link.ts';
import { listProfileLinks, sendInvitation, type SupportDeskDeps } from '../../src/association/support-desk.ts';
import type { Organisation, Profile } from '../../src/directory/model.ts';
import { messageFor } from '../../src/http/error-handler.ts';
import { createViews } from '../../src/http/views.ts';
import { createAssociationMail } from '../../src/mail/association-mails.ts';
import type { DeliveryQueue } from '../../src/mail/delivery-queue.ts';
import { createDirectoryMail } from '../../src/mail/directory-mails.ts';
import type { OutgoingMail } from '../../src/mail/outgoing.ts';
import { createMailRenderer } from '../../src/mail/render-mail.ts';
import { brokerCatalogue } from '../support/catalogue.ts';
import { createManualClock } from '../../src/shared/clock.ts';
import { AppError } from '../../src/shared/errors.ts';
import { createMemoryAuditLog } from '../../src/stores/memory/audit-log.ts';
import { createMemoryDirectory } from '../../src/stores/memory/directory.ts';
import { createMemoryLinkStore } from '../../src/stores/memory/link-store.ts';
import { createMemoryRateLimiter } from '../../src/stores/memory/rate-limiter.ts';

const VIEWS = join(import.meta.dirname, '..', '..', 'views');
const SUPPORT = { name: 'Broker Support', email: 'help@broker.example' };
const HOUR = 3600_000;

const org = (id: string, accountNumber: string, name: string, contractEndsOn?: string): Organisation => ({
  id,
  accountNumber,
  name,
  kind: 'customer',
  status: 'active',
  ...(contractEndsOn ? { contractEndsOn } : {}),
});
const person = (
  id: string,
  organisationId: string,
  displayName: string,
  role: Profile['role'] = 'professional',
  status: Profile['status'] = 'active',
): Profile => ({
  id,
  organisationId,
  email: `${id.replace(/^prf-/, '')}@example.org`,
  displayName,
  role,
  status,
});

/** Four organisations on memory stores, with the real mail templates rendered into a queue the test reads. */
function setup() {
  const directory = createMemoryDirectory({
    organisations: [
      org('org-a', 'C-100', 'Alpha Clinic', '2099-12-31'),
      org('org-b', 'C-200', 'Beta Labs', '2099-12-31'),
      org('org-r', 'C-300', 'Rho Care', '2025-06-30'),
      org('org-n', 'C-400', 'Nu Health'),
    ],
    profiles: [
      person('prf-a-admin', 'org-a', 'Ada Admin', 'administrator'),
      person('prf-a-pro', 'org-a', 'Paul Pro'),
      person('prf-a-new', 'org-a', 'Nina New'),
      person('prf-a-off', 'org-a', 'Otto Off', 'professional', 'disabled'),
      person('prf-b-admin', 'org-b', 'Bea Boss', 'administrator'),
      person('prf-b-pro', 'org-b', 'Bob Beta'),
      person('prf-r-admin', 'org-r', 'Rita Rho', 'administrator'),
      person('prf-r-pro', 'org-r', 'Rex Rho'),
      person('prf-n-admin', 'org-n', 'Ned Nu', 'administrator'),
    ],
    associations: ['prf-a-admin', 'prf-a-pro', 'prf-b-admin', 'prf-r-admin', 'prf-n-admin'].map((profileId) => ({
      profileId,
      upstreamId: 'demo',
      subject: `sub-${profileId}`,
    })),
  });
  const links = createMemoryLinkStore();
  const audit = createMemoryAuditLog();
  const clock = createManualClock(new Date('2026-01-01T09:00:00Z'));
  const mails: OutgoingMail[] = [];
  const queue: DeliveryQueue = {
    enqueue: async (mail) => {
      mails.push(mail);
    },
    failed: async () => [],
    requeue: async () => false,
    pending: async () => 0,
    failedCount: async () => 0,
    close: async () => undefined,
  };
  const renderer = createMailRenderer([join(VIEWS, 'mail')], brokerCatalogue());
  const signedOut: string[] = [];
  const support: SupportDeskDeps = {
    directory,
    associations: directory,
    links,
    mail: createAssociationMail({ renderer, queue, support: SUPPORT }),
    audit,
    clock,
    linkTtlSeconds: 24 * 3600,
    linkUrl: (token) => `https://broker.example/associate/${token}`,
    upstreamName: () => 'Demo account',
    revokeSignIns: async (profileId) => {
      signedOut.push(profileId);
    },
    portal: async () => undefined,
  };
  // Bound as the composition root binds the admin API's use cases.
  const deps: OurOrganisationDeps = {
    directory: {
      directory,
      audit,
      clock,
      mail: createDirectoryMail({ renderer, queue, support: SUPPORT }),
      revokeLinks: (profileId) => links.revokeForProfile(profileId),
      invite: (who, profileId) => sendInvitation(support, who, profileId),
    },
    support,
    imports: { directory, audit, clock, profileKinds: DEFAULT_PROFILE_KINDS },
    removalNotice: (message) => createAssociationMail({ renderer, queue, support: SUPPORT }).sendRemoved(message),
    invitations: {
      perPerson: createMemoryRateLimiter({ keyPrefix: 'person', points: 5, windowSeconds: 3600 }),
      perOrganisation: createMemoryRateLimiter({ keyPrefix: 'organisation', points: 400, windowSeconds: 86_400 }),
    },
  };
  const holder = async (profileId: string): Promise<AccountHolder> => {
    const profile = (await directory.getProfile(profileId))!;
    return {
      profile,
      organisation: (await directory.getOrganisation(profile.organisationId))!,
      association: (await directory.findByProfile(profileId))!,
    };
  };
  const eventsBy = async (profileId: string) => audit.query({ actor: `profile:${profileId}`, limit: 100 });
  return { deps, directory, links, audit, clock, mails, signedOut, holder, eventsBy };
}

/** The error a call is refused with. */
async function refusal(call: () => Promise<unknown>): Promise<AppError> {
  const err = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

/** The words a person reads for an error (the error page's sentence), with the configured support contact. */
const views = createViews([VIEWS], brokerCatalogue(), { support: SUPPORT });
const sentence = (err: AppError) => messageFor(views, err, false, 'en');

/** Every operation that names a person, as the administrator `holder` would call it on `profileId`. */
const operationsOn = (deps: OurOrganisationDeps, holder: AccountHolder, profileId: string) => ({
  resendInvitation: () => resendInvitation(deps, holder, profileId, '192.0.2.1'),
  revokeInvitation: () => revokeInvitation(deps, holder, profileId),
  correctEmail: () => correctEmail(deps, holder, profileId, 'fixed@example.org'),
  disable: () => setProfessionalStatus(deps, holder, profileId, 'disabled'),
  enable: () => setProfessionalStatus(deps, holder, profileId, 'active'),
  removeAssociation: () => removeAssociation(deps, holder, profileId, 'left'),
  handOverAdministrator: () => handOverAdministrator(deps, holder, profileId),
});

/** Every change an administrator can make, with a person to make it on. */
const changes = (deps: OurOrganisationDeps, holder: AccountHolder, profileId: string) => ({
  ...operationsOn(deps, holder, profileId),
  addProfessional: () => addProfessional(deps, holder, { displayName: 'Zed New', email: 'zed@example.org' }),
  addProfessionals: () => addProfessionals(deps, holder, 'Zoe New,zoe@example.org', { dryRun: false }),
  addProfessionalsDryRun: () => addProfessionals(deps, holder, 'Zoe New,zoe@example.org', { dryRun: true }),
});

/** Every page of a listing, followed by its `next`. */
async function allPages(deps: OurOrganisationDeps, holder: AccountHolder, filter: PeopleFilter, limit: number) {
  const pages: Person[][] = [];
  let after: string | undefined;
  do {
    const page = await listPeople(deps, holder, filter, { limit, ...(after ? { after } : {}) });
    pages.push(page.items);
    after = page.next;
  } while (after);
  return pages;
}

describe('our organisation: who may act, and on whom', () => {
  it('refuses a professional every operation with 403, and changes nothing', async () => {
    const { deps, holder, directory, mails, audit } = setup();
    const professional = await holder('prf-a-pro');
    const operations = {
      ...changes(deps, professional, 'prf-a-new'),
      listPeople: () => listPeople(deps, professional, {}, { limit: 10 }),
    };
    for (const [name, call] of Object.entries(operations)) {
      const err = await refusal(call);
      expect({ name, status: err.status, code: err.code }).toEqual({
        name,
        status: 403,
        code: 'not_organisation_administrator',
      });
    }
    expect(sentence(await refusal(operations.listPeople))).toContain(
      "Only your organisation's administrator can see and manage its people",
    );
    expect(await directory.getProfile('prf-a-new')).toEqual(person('prf-a-new', 'org-a', 'Nina New'));
    expect(mails).toEqual([]);
    expect(await audit.query({ limit: 10 })).toEqual([]);
  });

  it("answers an administrator 404 for another organisation's person exactly as for one that does not exist", async () => {
    const { deps, holder, directory, links, mails, audit, signedOut } = setup();
    const admin = await holder('prf-a-admin');
    const foreign = operationsOn(deps, admin, 'prf-b-pro');
    const foreignAdmin = operationsOn(deps, admin, 'prf-b-admin');
    const missing = operationsOn(deps, admin, 'prf-nobody');
    for (const name of Object.keys(foreign) as (keyof typeof foreign)[]) {
      for (const [kind, errOf] of [
        ['foreign', await refusal(foreign[name])],
        ['foreign administrator', await refusal(foreignAdmin[name])],
        ['missing', await refusal(missing[name])],
      ] as const) {
        expect({ name, kind, status: errOf.status, code: errOf.code, sentence: sentence(errOf) }).toEqual({
          name,
          kind,
          status: 404,
          code: 'person_not_found',
          sentence:
            "There is no such person in your organisation. Go back to the list of your organisation's people and choose them there.",
        });
      }
      // The log line has the same shape whether the id exists elsewhere or not.
      expect((await refusal(foreign[name])).message.replace('prf-b-pro', 'ID')).toBe(
        (await refusal(missing[name])).message.replace('prf-nobody', 'ID'),
      );
    }
    // Beta Labs is as it was: same people, same roles, no links, no mail, no events, nobody signed out.
    expect(await directory.getProfile('prf-b-pro')).toEqual(person('prf-b-pro', 'org-b', 'Bob Beta'));
    expect((await directory.getProfile('prf-b-admin'))!.role).toBe('administrator');
    expect((await directory.getProfile('prf-a-admin'))!.role).toBe('administrator');
    expect(await directory.findByProfile('prf-b-admin')).toBeDefined();
    expect(await links.listForProfile('prf-b-pro')).toEqual([]);
    expect(mails).toEqual([]);
    expect(signedOut).toEqual([]);
    expect(await audit.query({ limit: 10 })).toEqual([]);
    // The listing holds the administrator's own organisation only.
    const { items } = await listPeople(deps, admin, {}, { limit: 50 });
    expect(items.map((p) => p.id)).toEqual(['prf-a-admin', 'prf-a-new', 'prf-a-off', 'prf-a-pro']);
  });

  it('lets an organisation without an active contract be listed, and refuses each change saying why and whom to ask', async () => {
    const { deps, holder, directory, links, mails, audit } = setup();
    const ended = await holder('prf-r-admin');
    const { items } = await listPeople(deps, ended, {}, { limit: 10 });
    expect(items.map((p) => [p.id, p.status])).toEqual([
      ['prf-r-admin', 'associated'],
      ['prf-r-pro', 'not_invited'],
    ]);
    for (const [name, call] of Object.entries(changes(deps, ended, 'prf-r-pro'))) {
      const err = await refusal(call);
      expect({ name, status: err.status, code: err.code }).toEqual({
        name,
        status: 403,
        code: 'organisation_read_only',
      });
      expect(sentence(err)).toBe(
        "Your organisation's service contract ended on June 30, 2025, so you can see its people but not change them. To renew the contract, contact Broker Support at help@broker.example and quote account C-300.",
      );
    }
    expect(await directory.getProfile('prf-r-pro')).toEqual(person('prf-r-pro', 'org-r', 'Rex Rho'));
    expect(await links.listForProfile('prf-r-pro')).toEqual([]);
    expect(mails).toEqual([]);
    expect(await audit.query({ limit: 10 })).toEqual([]);

    const none = await holder('prf-n-admin');
    expect((await listPeople(deps, none, {}, { limit: 10 })).items).toHaveLength(1);
    const err = await refusal(() => addProfessional(deps, none, { displayName: 'Zed', email: 'zed@example.org' }));
    expect(err.status).toBe(403);
    expect(sentence(err)).toMatch(/^Your organisation has no service contract, so you can see its people but not/);
  });
});

describe('our organisation: what the pages start from', () => {
  it('shows one person as the list does, to the administrator only, and 404 for anyone not of the organisation', async () => {
    const { deps, holder } = setup();
    const admin = await holder('prf-a-admin');
    const [listed] = (await listPeople(deps, admin, { q: 'paul' }, { limit: 1 })).items;
    expect(await showPerson(deps, admin, 'prf-a-pro')).toEqual(listed);
    for (const other of ['prf-b-pro', 'prf-nobody']) {
      expect(await refusal(() => showPerson(deps, admin, other))).toMatchObject({
        status: 404,
        code: 'person_not_found',
      });
    }
    const professional = await holder('prf-a-pro');
    expect(await refusal(() => showPerson(deps, professional, 'prf-a-new'))).toMatchObject({
      status: 403,
      code: 'not_organisation_administrator',
    });
  });

  it('says whether the organisation may change, with the same refusal its changes meet, to its administrator only', async () => {
    const { deps, holder } = setup();
    expect(organisationStanding(deps, await holder('prf-a-admin'))).toEqual({
      organisation: expect.objectContaining({ id: 'org-a' }),
    });
    const ended = await holder('prf-r-admin');
    const { readOnly } = organisationStanding(deps, ended);
    const change = await refusal(() => addProfessional(deps, ended, { displayName: 'Zed', email: 'zed@example.org' }));
    expect(readOnly).toMatchObject({ status: 403, code: 'organisation_read_only', details: change.details });
    expect(sentence(readOnly!)).toBe(sentence(change));
    const professional = await holder('prf-a-pro');
    expect(() => organisationStanding(deps, professional)).toThrow(
      expect.objectContaining({ code: 'not_organisation_administrator' }),
    );
  });
});

describe('our organisation: adding professionals', () => {
  it('adds a professional and queues an invitation to their address naming the organisation and who invited them', async () => {
    const { deps, holder, directory, mails, eventsBy } = setup();
    const admin = await holder('prf-a-admin');
    const { profile, invitation } = await addProfessional(
      deps,
      admin,
      { displayName: 'Zed New', email: ' Zed@Example.org ' },
      '192.0.2.7',
    );
    expect(profile).toMatchObject({
      organisationId: 'org-a',
      email: 'zed@example.org',
      displayName: 'Zed New',
      role: 'professional',
      status: 'active',
    });
    expect(await directory.getProfile(profile.id)).toEqual(profile);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail).toMatchObject({
      to: 'zed@example.org',
      kind: 'association-invitation',
      reference: invitation.reference,
      link: { profileId: profile.id, id: invitation.link_id },
    });
    expect(mail!.subject).toBe('Ada Admin invited you to sign in for Alpha Clinic (C-100)');
    expect(mail!.text).toContain('Hello Zed New,\n\nAda Admin, the administrator of Alpha Clinic, invited you');
    expect(mail!.text).toContain('https://broker.example/associate/');
    expect(mail!.html).toContain('Ada Admin, the administrator of <strong>Alpha Clinic</strong>, invited you');
    expect((await eventsBy('prf-a-admin')).map((e) => [e.action, e.profileId, e.ip]).sort()).toEqual([
      ['association.invited', profile.id, '192.0.2.7'],
      ['profile.created', profile.id, '192.0.2.7'],
    ]);
    const { items } = await listPeople(deps, admin, { q: 'zed' }, { limit: 10 });
    expect(items).toEqual([
      expect.objectContaining({
        id: profile.id,
        status: 'invited',
        invitation: expect.objectContaining({ status: 'queued', kind: 'invitation', reference: invitation.reference }),
      }),
    ]);
    // Someone of the organisation already has the address: refused, and nobody is emailed.
    const taken = await refusal(() =>
      addProfessional(deps, admin, { displayName: 'Paul Again', email: 'a-pro@example.org' }),
    );
    expect(taken).toMatchObject({ status: 409, code: 'profile_email_taken' });
    expect(mails).toHaveLength(1);
  });

  it('keeps the support desk invitation as it was when nobody is named as inviter', async () => {
    const { deps, mails } = setup();
    await sendInvitation(deps.support, { actor: 'admin:desk', holds: [] }, 'prf-a-new');
    expect(mails[0]!.subject).toBe('You are invited to sign in for Alpha Clinic (C-100)');
    expect(mails[0]!.text).toMatch(/^Hello Nina New,\n\nYou have a profile at Alpha Clinic/);
    expect(mails[0]!.text).not.toContain('administrator of');
  });

  it('adds pasted lines through the import rules: a dry run first, then the real run inviting each person created', async () => {
    const { deps, holder, directory, mails, eventsBy } = setup();
    const admin = await holder('prf-a-admin');
    const lines = [
      'Name,E-mail',
      'Cara Clay,cara@example.org',
      '"Dunn, Dee",DEE@example.org',
      'Paul Pro Again,a-pro@example.org',
      'Eve Evil,eve@example.org,administrator',
      'Fay Fault,not-an-address',
      ',nameless@example.org',
      'Cara Clay,cara@example.org',
      'Ada Twin,a-admin@example.org',
    ].join('\n');
    const expected = [
      [2, 'created', undefined],
      [3, 'created', undefined],
      [4, 'rejected', 'Paul Pro of your organisation already has this email'],
      [5, 'rejected', '3 fields where the header has 2'],
      [6, 'rejected', 'email is not an email address'],
      [7, 'rejected', 'display_name is empty'],
      [8, 'unchanged', 'same as line 2'],
      [9, 'rejected', 'Ada Admin of your organisation already has this email'],
    ];
    const dryRun = await addProfessionals(deps, admin, lines, { dryRun: true });
    expect(dryRun).toMatchObject({ dry_run: true, rows: { total: 8, created: 2, rejected: 5, unchanged: 1 } });
    expect(dryRun.details.map((d) => [d.line, d.outcome, d.reason])).toEqual(expected);
    expect(dryRun.details.some((d) => d.invitation)).toBe(false);
    expect(await directory.findProfilesByEmail('cara@example.org')).toEqual([]);
    expect(mails).toEqual([]);
    expect(await eventsBy('prf-a-admin')).toEqual([]);

    const report = await addProfessionals(deps, admin, lines, { dryRun: false }, '192.0.2.9');
    expect(report).toMatchObject({ dry_run: false, rows: { total: 8, created: 2, rejected: 5, unchanged: 1 } });
    expect(report.details.map((d) => [d.line, d.outcome, d.reason])).toEqual(expected);
    const created = report.details.filter((d) => d.outcome === 'created');
    for (const [row, email, name] of [
      [created[0]!, 'cara@example.org', 'Cara Clay'],
      [created[1]!, 'dee@example.org', 'Dunn, Dee'],
    ] as const) {
      expect(await directory.getProfile(row.profile_id!)).toEqual({
        id: row.profile_id,
        organisationId: 'org-a',
        email,
        displayName: name,
        role: 'professional',
        status: 'active',
      });
      const reference = (row.invitation as { reference: string }).reference;
      expect(mails.find((m) => m.reference === reference)).toMatchObject({
        to: email,
        subject: 'Ada Admin invited you to sign in for Alpha Clinic (C-100)',
      });
    }
    expect(mails).toHaveLength(2);
    // Nobody else was touched: no third profile, the administrator and Paul as they were.
    expect(await directory.findProfilesByEmail('eve@example.org')).toEqual([]);
    expect(await directory.getProfile('prf-a-admin')).toEqual(
      person('prf-a-admin', 'org-a', 'Ada Admin', 'administrator'),
    );
    expect(await directory.getProfile('prf-a-pro')).toEqual(person('prf-a-pro', 'org-a', 'Paul Pro'));
    expect((await directory.getOrganisation('org-a'))!.contractEndsOn).toBe('2099-12-31');
    const events = await eventsBy('prf-a-admin');
    expect(events.map((e) => e.action).sort()).toEqual([
      'association.invited',
      'association.invited',
      'directory.imported',
    ]);
    expect(events.find((e) => e.action === 'directory.imported')).toMatchObject({
      id: report.reference,
      ip: '192.0.2.9',
    });
  });

  it('refuses pasted text that cannot be read at all, with words for pasted lines', async () => {
    const { deps, holder } = setup();
    const admin = await holder('prf-a-admin');
    const err = await refusal(() => addProfessionals(deps, admin, '\n  \n', { dryRun: true }));
    expect(err).toMatchObject({ status: 400, code: 'import_unreadable' });
    expect(sentence(err)).toBe(
      'The lines cannot be read: no lines to read. Give one person a line, as their name, a comma and their email address; nobody was added.',
    );
  });
});

describe('our organisation: invitations and people', () => {
  it('resends an invitation that supersedes the older one, and refuses one for someone associated', async () => {
    const { deps, holder, clock, mails, eventsBy } = setup();
    const admin = await holder('prf-a-admin');
    const first = await resendInvitation(deps, admin, 'prf-a-new');
    clock.advance(HOUR);
    const second = await resendInvitation(deps, admin, 'prf-a-new');
    const links = await listProfileLinks(deps.support, 'prf-a-new');
    expect(links.map((l) => [l.id, l.status])).toEqual([
      [second.link_id, 'queued'],
      [first.link_id, 'superseded'],
    ]);
    expect(mails.map((m) => [m.to, m.reference])).toEqual([
      ['a-new@example.org', first.reference],
      ['a-new@example.org', second.reference],
    ]);
    expect(mails[1]!.subject).toBe('Ada Admin invited you to sign in for Alpha Clinic (C-100)');
    expect((await eventsBy('prf-a-admin')).map((e) => e.id)).toEqual([second.reference, first.reference]);

    const associated = await refusal(() => resendInvitation(deps, admin, 'prf-a-pro'));
    expect(associated).toMatchObject({ status: 409, code: 'person_already_associated' });
    expect(sentence(associated)).toMatch(/^Paul Pro already signs in with their own account/);
    expect(mails).toHaveLength(2);
  });

  it('sends a person at most 5 invitations an hour, however often "resend" is pressed', async () => {
    const { deps, holder, mails } = setup();
    const admin = await holder('prf-a-admin');
    for (let i = 0; i < 5; i++) await resendInvitation(deps, admin, 'prf-a-new');
    const flooded = await refusal(() => resendInvitation(deps, admin, 'prf-a-new'));
    expect(flooded).toMatchObject({ status: 429, code: 'too_many_invitations' });
    expect(sentence(flooded)).toMatch(/^Too many invitations have been sent for now\. Try again in \d+ minutes/);
    expect(mails).toHaveLength(5);
  });

  it('withdraws an invitation: its link stops working, the person shows as not invited, and it is recorded', async () => {
    const { deps, holder, eventsBy } = setup();
    const admin = await holder('prf-a-admin');
    const sent = await resendInvitation(deps, admin, 'prf-a-new');
    const withdrawn = await revokeInvitation(deps, admin, 'prf-a-new', '192.0.2.3');
    expect(withdrawn).toEqual({
      revoked: 1,
      reference: expect.stringMatching(/^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/),
    });
    expect((await listProfileLinks(deps.support, 'prf-a-new')).map((l) => [l.id, l.status])).toEqual([
      [sent.link_id, 'revoked'],
    ]);
    const event = (await eventsBy('prf-a-admin')).find((e) => e.action === 'association.links_revoked');
    expect(event).toMatchObject({
      id: withdrawn.reference,
      action: 'association.links_revoked',
      organisationId: 'org-a',
      profileId: 'prf-a-new',
      ip: '192.0.2.3',
      details: { links: sent.link_id },
    });
    expect((await listPeople(deps, admin, { q: 'nina' }, { limit: 5 })).items).toEqual([
      expect.objectContaining({ id: 'prf-a-new', status: 'not_invited' }),
    ]);
    // Nothing left to withdraw: nothing recorded.
    expect(await revokeInvitation(deps, admin, 'prf-a-new')).toEqual({ revoked: 0 });
    expect(await eventsBy('prf-a-admin')).toHaveLength(2);
  });

  it('corrects the email of someone not yet associated (old links stop), and sends to support once they are', async () => {
    const { deps, holder, directory, eventsBy } = setup();
    const admin = await holder('prf-a-admin');
    const sent = await resendInvitation(deps, admin, 'prf-a-new');
    const corrected = await correctEmail(deps, admin, 'prf-a-new', 'Nina.New@Example.org');
    expect(corrected).toMatchObject({ id: 'prf-a-new', email: 'nina.new@example.org', displayName: 'Nina New' });
    expect((await directory.getProfile('prf-a-new'))!.email).toBe('nina.new@example.org');
    expect((await listProfileLinks(deps.support, 'prf-a-new')).map((l) => [l.id, l.status])).toEqual([
      [sent.link_id, 'revoked'],
    ]);
    expect((await eventsBy('prf-a-admin')).find((e) => e.action === 'profile.updated')).toMatchObject({
      profileId: 'prf-a-new',
      details: { fields: 'email' },
    });

    for (const id of ['prf-a-pro', 'prf-a-admin']) {
      const err = await refusal(() => correctEmail(deps, admin, id, 'other@example.org'));
      expect(err).toMatchObject({ status: 409, code: 'email_change_needs_support' });
      expect(sentence(err)).toContain('To change it, contact Broker Support at help@broker.example.');
    }
    expect(sentence(await refusal(() => correctEmail(deps, admin, 'prf-a-pro', 'x@example.org')))).toMatch(
      /^Paul Pro already signs in with their own account/,
    );
    expect((await directory.getProfile('prf-a-pro'))!.email).toBe('a-pro@example.org');
  });

  it('disables and enables a professional, and never lets the administrator disable themselves', async () => {
    const { deps, holder, directory, eventsBy } = setup();
    const admin = await holder('prf-a-admin');
    expect(await setProfessionalStatus(deps, admin, 'prf-a-pro', 'disabled')).toMatchObject({ status: 'disabled' });
    expect((await listPeople(deps, admin, { status: 'disabled' }, { limit: 10 })).items.map((p) => p.id)).toEqual([
      'prf-a-off',
      'prf-a-pro',
    ]);
    expect(await setProfessionalStatus(deps, admin, 'prf-a-off', 'active')).toMatchObject({ status: 'active' });
    expect((await eventsBy('prf-a-admin')).map((e) => [e.action, e.profileId]).sort()).toEqual([
      ['profile.disabled', 'prf-a-pro'],
      ['profile.enabled', 'prf-a-off'],
    ]);
    const self = await refusal(() => setProfessionalStatus(deps, admin, 'prf-a-admin', 'disabled'));
    expect(self).toMatchObject({ status: 409, code: 'cannot_disable_yourself' });
    expect((await directory.getProfile('prf-a-admin'))!.status).toBe('active');
  });

  it('removes an association: the account no longer signs in as the profile and its sessions and links are revoked', async () => {
    const { deps, holder, directory, links, signedOut, eventsBy, clock } = setup();
    const admin = await holder('prf-a-admin');
    const pending = newLink({ profileId: 'prf-a-pro', now: clock.now(), ttlSeconds: 3600 }).link;
    await links.issue(pending);
    const removed = await removeAssociation(deps, admin, 'prf-a-pro', 'left the practice', '192.0.2.5');
    expect(removed).toEqual({ reference: expect.any(String), signedOut: false });
    expect(await directory.findByProfile('prf-a-pro')).toBeUndefined();
    expect(signedOut).toEqual(['prf-a-pro']);
    expect((await links.listForProfile('prf-a-pro')).map((l) => l.status)).toEqual(['revoked']);
    expect((await eventsBy('prf-a-admin'))[0]).toMatchObject({
      id: removed.reference,
      action: 'association.removed',
      profileId: 'prf-a-pro',
      ip: '192.0.2.5',
      details: { reason: 'left the practice' },
    });
    const again = await refusal(() => removeAssociation(deps, admin, 'prf-a-pro'));
    expect(again).toMatchObject({ status: 404, code: 'not_associated' });
  });

  it('hands the administrator role over: roles swapped, both emailed with the reference, and never to a disabled person', async () => {
    const { deps, holder, directory, mails, eventsBy } = setup();
    const admin = await holder('prf-a-admin');
    const refused = await refusal(() => handOverAdministrator(deps, admin, 'prf-a-off'));
    expect(refused).toMatchObject({ status: 409, code: 'profile_disabled' });
    expect((await directory.getProfile('prf-a-admin'))!.role).toBe('administrator');
    expect(mails).toEqual([]);

    const handed = await handOverAdministrator(deps, admin, 'prf-a-pro');
    expect(handed).toMatchObject({
      administrator: { id: 'prf-a-pro', role: 'administrator' },
      previous: { id: 'prf-a-admin', role: 'professional' },
    });
    expect((await directory.getProfile('prf-a-pro'))!.role).toBe('administrator');
    expect((await directory.getProfile('prf-a-admin'))!.role).toBe('professional');
    expect(mails.map((m) => [m.kind, m.to, m.reference])).toEqual([
      ['administrator-designated', 'a-pro@example.org', handed.reference],
      ['administrator-replaced', 'a-admin@example.org', handed.reference],
    ]);
    expect(mails[0]!.text).toContain(
      'You are now the administrator of Alpha Clinic (account C-100), replacing Ada Admin.',
    );
    expect(mails[1]!.text).toContain(
      'Paul Pro is now the administrator of Alpha Clinic (account C-100), in your place.',
    );
    expect((await eventsBy('prf-a-admin'))[0]).toMatchObject({
      id: handed.reference,
      action: 'organisation.administrator_changed',
      organisationId: 'org-a',
      profileId: 'prf-a-pro',
    });
    // The former administrator, signed in again, is a professional now.
    const former = await holder('prf-a-admin');
    expect(await refusal(() => listPeople(deps, former, {}, { limit: 5 }))).toMatchObject({
      status: 403,
      code: 'not_organisation_administrator',
    });
  });
});

describe('our organisation: the people list', () => {
  it('shows each status, the association date and the newest link with its delivery', async () => {
    const { deps, holder, directory, links, clock } = setup();
    const admin = await holder('prf-a-admin');
    const associatedAt = new Date('2025-11-02T10:00:00Z');
    await directory.associate({ profileId: 'prf-a-pro', upstreamId: 'demo', subject: 'paul', associatedAt });
    const sent = await resendInvitation(deps, admin, 'prf-a-new');
    await links.recordDelivery('prf-a-new', sent.link_id, 'failed');
    clock.advance(HOUR);
    const { items } = await listPeople(deps, admin, {}, { limit: 10 });
    expect(items).toEqual([
      {
        id: 'prf-a-admin',
        displayName: 'Ada Admin',
        email: 'a-admin@example.org',
        role: 'administrator',
        status: 'associated',
        associatedAt: new Date(0),
      },
      {
        id: 'prf-a-new',
        displayName: 'Nina New',
        email: 'a-new@example.org',
        role: 'professional',
        status: 'invited',
        invitation: expect.objectContaining({
          id: sent.link_id,
          status: 'delivery_failed',
          delivery: 'failed',
          reference: sent.reference,
        }),
      },
      {
        id: 'prf-a-off',
        displayName: 'Otto Off',
        email: 'a-off@example.org',
        role: 'professional',
        status: 'disabled',
      },
      {
        id: 'prf-a-pro',
        displayName: 'Paul Pro',
        email: 'a-pro@example.org',
        role: 'professional',
        status: 'associated',
        associatedAt,
      },
    ]);
    // An invitation that expired unused still shows, so that the administrator sends another.
    clock.advance(48 * HOUR);
    expect((await listPeople(deps, admin, { status: 'invited' }, { limit: 10 })).items).toEqual([
      expect.objectContaining({ id: 'prf-a-new', invitation: expect.objectContaining({ status: 'expired' }) }),
    ]);
    // Search is on part of the name or of the registered email, whatever the case.
    expect((await listPeople(deps, admin, { q: 'PAUL' }, { limit: 10 })).items.map((p) => p.id)).toEqual(['prf-a-pro']);
    expect((await listPeople(deps, admin, { q: 'a-off@' }, { limit: 10 })).items.map((p) => p.id)).toEqual([
      'prf-a-off',
    ]);
  });

  it('pages through hundreds of people by status without skipping or repeating anyone', async () => {
    const { deps, holder, directory, links, clock } = setup();
    const admin = await holder('prf-a-admin');
    // 250 more people, their statuses spread unevenly so that matches straddle the directory's read batches.
    const expected = new Map<string, string>([
      ['prf-a-admin', 'associated'],
      ['prf-a-new', 'not_invited'],
      ['prf-a-off', 'disabled'],
      ['prf-a-pro', 'associated'],
    ]);
    for (let i = 0; i < 250; i++) {
      const id = `prf-a-${String(i).padStart(3, '0')}`;
      const status = i % 97 === 5 || i % 41 === 0 ? 'disabled' : 'active';
      await directory.createProfile(person(id, 'org-a', `Person ${i}`, 'professional', status));
      if (status === 'disabled') expected.set(id, 'disabled');
      else if (i % 7 === 0) {
        await directory.associate({ profileId: id, upstreamId: 'demo', subject: id, associatedAt: clock.now() });
        expected.set(id, 'associated');
      } else if (i % 13 === 0 || (i > 180 && i % 3 === 0)) {
        await links.issue(newLink({ profileId: id, now: clock.now(), ttlSeconds: 3600 }).link);
        expected.set(id, 'invited');
      } else if (i % 11 === 0) {
        // Invited, then withdrawn: not invited.
        await links.issue(newLink({ profileId: id, now: clock.now(), ttlSeconds: 3600 }).link);
        await links.revokeForProfile(id);
        expected.set(id, 'not_invited');
      } else expected.set(id, 'not_invited');
    }
    const ids = (status?: string) =>
      [...expected]
        .filter(([, s]) => !status || s === status)
        .map(([id]) => id)
        .sort();
    for (const status of [undefined, 'associated', 'invited', 'not_invited', 'disabled'] as const) {
      for (const limit of [1, 7, 100]) {
        const pages = await allPages(deps, admin, status ? { status } : {}, limit);
        const seen = pages.flat().map((p) => p.id);
        expect({ status, limit, seen }).toEqual({ status, limit, seen: ids(status) });
        // Every page but the last is full, and the last is never empty unless nothing matches at all.
        expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
        if (ids(status).length) expect(pages[pages.length - 1]!.length).toBeGreaterThan(0);
        if (status) expect(pages.flat().every((p) => p.status === status)).toBe(true);
      }
    }
    // With a search as well: people 190 to 199 who are invited.
    const searched = (await allPages(deps, admin, { status: 'invited', q: 'person 19' }, 2)).flat().map((p) => p.id);
    expect(searched).toEqual(ids('invited').filter((id) => /^prf-a-19\d$/.test(id)));
  });
});

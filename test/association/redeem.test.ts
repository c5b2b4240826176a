import { describe, expect, it } from '@jest/globals';
import type { AssociationMail } from '../../src/association/association-mail.ts';
import { hashLinkToken, newLinkToken, type AssociationLink } from '../../src/association/link.ts';
import { redeemAssociationLink, type RedeemDeps } from '../../src/association/redeem-link.ts';
import { relayPendingNotices } from '../../src/association/association-notice.ts';
import type { AssociationStore } from '../../src/directory/association-store.ts';
import { createManualClock } from '../../src/shared/clock.ts';
import { createMemoryDirectory } from '../../src/stores/memory/directory.ts';
import { createMemoryLinkStore } from '../../src/stores/memory/link-store.ts';
import { createMemoryAuditLog } from '../../src/stores/memory/audit-log.ts';
import type { AuditLog } from '../../src/audit/audit-log.ts';

const X = { upstreamId: 'demo', subject: 'person-x' };

type Wrap<F extends (...args: never[]) => unknown> = (inner: F, ...args: Parameters<F>) => ReturnType<F>;

function setup(associate?: Wrap<AssociationStore['associate']>, record?: Wrap<AuditLog['record']>) {
  const directory = createMemoryDirectory({
    organisations: [
      { id: 'o', accountNumber: 'C-1', name: 'Org', kind: 'customer', status: 'active', contractEndsOn: '2099-12-31' },
    ],
    profiles: [
      {
        id: 'p',
        organisationId: 'o',
        email: 'p@org.example',
        displayName: 'P',
        role: 'professional',
        status: 'active',
      },
    ],
    associations: [],
  });
  const links = createMemoryLinkStore();
  const notices: unknown[] = [];
  const revoked: string[] = [];
  const mail: AssociationMail = {
    sendLink: async () => undefined,
    sendInvitation: async () => undefined,
    sendHeldBack: async () => undefined,
    sendNotice: async (m) => {
      notices.push(m);
    },
    sendRemoved: async () => undefined,
    sendIneligible: async () => undefined,
    sendUnknownAddress: async () => undefined,
  };
  const associations: AssociationStore = {
    findByIdentity: (i) => directory.findByIdentity(i),
    findByProfile: (id) => directory.findByProfile(id),
    associate: (a) => (associate ? associate((x) => directory.associate(x), a) : directory.associate(a)),
    dissociate: (id) => directory.dissociate(id),
    pendingNotices: (before, limit) => directory.pendingNotices(before, limit),
    noticeQueued: (id, reference) => directory.noticeQueued(id, reference),
  };
  const log = createMemoryAuditLog();
  const audit: AuditLog = {
    query: (f) => log.query(f),
    record: (e) => (record ? record((x) => log.record(x), e) : log.record(e)),
  };
  const clock = createManualClock(new Date('2026-01-01T00:00:00Z'));
  const deps: RedeemDeps = {
    directory,
    associations,
    links,
    mail,
    audit,
    clock,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    upstreamName: () => 'Demo',
    revokeSignIns: async (id) => {
      revoked.push(id);
    },
  };
  const issue = async (options: { invitation?: boolean } = {}) => {
    const { token } = newLinkToken();
    const link: AssociationLink = {
      id: token.slice(0, 6),
      tokenHash: hashLinkToken(token),
      profileId: 'p',
      ...(options.invitation ? {} : { requester: X }),
      clientId: 'c',
      createdAt: clock.now(),
      expiresAt: new Date(clock.now().getTime() + 3600_000),
      status: 'active',
    };
    await links.issue(link);
    return link;
  };
  return { deps, directory, links, notices, revoked, issue, audit };
}

describe('redeeming a link', () => {
  it('gives an invitation to one account only when two finish it at once, and only that one can retry it', async () => {
    const Y = { upstreamId: 'up', subject: 'mallory' };
    let failFirst = true;
    const { deps, directory, notices, issue } = setup(async (inner, a) => {
      if (failFirst) {
        failFirst = false;
        throw new Error('store blip');
      }
      return inner(a);
    });
    const link = await issue({ invitation: true });
    const [first, second] = await Promise.allSettled([
      redeemAssociationLink(deps, link.tokenHash, X),
      redeemAssociationLink(deps, link.tokenHash, Y),
    ]);
    // One claimed it and failed part-way; the other found it held by someone else.
    expect([first.status, second.status].sort()).toEqual(['fulfilled', 'rejected']);
    const refused =
      first.status === 'fulfilled'
        ? first.value
        : (second as PromiseFulfilledResult<Awaited<ReturnType<typeof redeemAssociationLink>>>).value;
    expect(refused).toEqual({ outcome: 'unusable', state: 'used' });
    const holder = first.status === 'rejected' ? X : Y;
    const other = holder === X ? Y : X;
    expect((await redeemAssociationLink(deps, link.tokenHash, other)).outcome).toBe('unusable');
    expect((await redeemAssociationLink(deps, link.tokenHash, holder)).outcome).toBe('associated');
    expect(await directory.findByProfile('p')).toMatchObject(holder);
    expect(notices).toHaveLength(1);
  });

  it('gives one association and one notice when two redemptions of one link run side by side', async () => {
    let arrived = 0;
    let release!: () => void;
    const bothInside = new Promise<void>((resolve) => (release = resolve));
    const { deps, directory, links, notices, issue } = setup(async (inner, a) => {
      arrived += 1;
      if (arrived === 2) release();
      await bothInside;
      return inner(a);
    });
    const link = await issue();
    const [first, second] = await Promise.all([
      redeemAssociationLink(deps, link.tokenHash, X),
      redeemAssociationLink(deps, link.tokenHash, X),
    ]);
    expect(arrived).toBe(2);
    expect([first.outcome, second.outcome]).toEqual(['associated', 'associated']);
    expect(notices).toHaveLength(1);
    expect((await directory.findByIdentity(X)).map((a) => a.profileId)).toEqual(['p']);
    expect((await links.findByTokenHash(link.tokenHash))!.status).toBe('used');
  });

  it('finishes a claimed link even when a newer one is issued meanwhile, and revokes the newer one', async () => {
    let newer: AssociationLink | undefined;
    const { deps, links, notices, revoked, issue } = setup(async (inner, a) => {
      newer = await issue();
      return inner(a);
    });
    const link = await issue();
    const result = await redeemAssociationLink(deps, link.tokenHash, X);
    expect(result.outcome).toBe('associated');
    expect(notices).toHaveLength(1);
    expect(revoked).toEqual(['p']);
    expect((await links.findByTokenHash(newer!.tokenHash))!.status).toBe('revoked');
  });

  it('refuses a link superseded before its redemption started, and writes nothing', async () => {
    const { deps, directory, notices, issue } = setup();
    const older = await issue();
    await issue();
    const result = await redeemAssociationLink(deps, older.tokenHash, X);
    expect(result).toEqual({ outcome: 'unusable', state: 'superseded' });
    expect(await directory.findByProfile('p')).toBeUndefined();
    expect(notices).toHaveLength(0);
  });

  it("converges when a redemption failed after claiming the link: the same person's retry finishes it", async () => {
    let failOnce = true;
    const { deps, directory, notices, issue } = setup(async (inner, a) => {
      if (failOnce) {
        failOnce = false;
        throw new Error('store unavailable');
      }
      return inner(a);
    });
    const link = await issue();
    await expect(redeemAssociationLink(deps, link.tokenHash, X)).rejects.toThrow('store unavailable');
    const retry = await redeemAssociationLink(deps, link.tokenHash, X);
    expect(retry.outcome).toBe('associated');
    expect(await directory.findByProfile('p')).toMatchObject({ upstreamId: 'demo', subject: 'person-x' });
    expect(notices).toHaveLength(1);
    // And nobody else can use it afterwards.
    expect(
      (await redeemAssociationLink(deps, link.tokenHash, { upstreamId: 'demo', subject: 'someone-else' })).outcome,
    ).toBe('unusable');
  });

  it('converges when the audit write failed after the association: one event, and the notice carries its reference', async () => {
    let failOnce = true;
    const { deps, directory, notices, issue, audit } = setup(undefined, async (inner, e) => {
      if (failOnce) {
        failOnce = false;
        throw new Error('store unavailable');
      }
      return inner(e);
    });
    const link = await issue();
    await expect(redeemAssociationLink(deps, link.tokenHash, X)).rejects.toThrow('store unavailable');
    expect(await audit.query({ limit: 10 })).toEqual([]);
    const retry = await redeemAssociationLink(deps, link.tokenHash, X);
    const again = await redeemAssociationLink(deps, link.tokenHash, X);
    expect(retry.outcome).toBe('associated');
    expect(await directory.findByProfile('p')).toMatchObject({ upstreamId: 'demo', subject: 'person-x' });
    const events = await audit.query({ limit: 10 });
    expect(events).toEqual([
      expect.objectContaining({
        action: 'association.created',
        outcome: 'success',
        actor: 'person:demo:person-x',
        profileId: 'p',
        organisationId: 'o',
        clientId: 'c',
      }),
    ]);
    expect(notices).toEqual([expect.objectContaining({ reference: events[0]!.id })]);
    expect(again).toMatchObject({ outcome: 'associated', reference: events[0]!.id });
  });

  it('keeps the notice owed when the queue failed after the association, and the relay hands it over exactly once', async () => {
    const { deps, notices, issue } = setup();
    const queue = deps.mail.sendNotice;
    const link = await issue();
    deps.mail = { ...deps.mail, sendNotice: async () => Promise.reject(new Error('queue unavailable')) };
    await expect(redeemAssociationLink(deps, link.tokenHash, X)).rejects.toThrow('queue unavailable');
    deps.mail = { ...deps.mail, sendNotice: queue };
    // Nobody retries the link. Within the grace period the relay leaves it to the request that owes it.
    expect(await relayPendingNotices(deps, 60_000)).toBe(0);
    (deps.clock as ReturnType<typeof createManualClock>).advance(61_000);
    expect(await relayPendingNotices(deps, 60_000)).toBe(1);
    expect(await relayPendingNotices(deps, 60_000)).toBe(0);
    expect(notices).toEqual([
      expect.objectContaining({
        reference: (await deps.associations.findByProfile('p'))!.reference,
        account: expect.stringMatching(/^account …/),
      }),
    ]);
    expect((await deps.associations.findByProfile('p'))!.noticePending).toBeUndefined();
  });

  it('records a refusal when another account follows the link, and writes no association', async () => {
    const { deps, directory, issue, audit } = setup();
    const link = await issue();
    const result = await redeemAssociationLink(
      deps,
      link.tokenHash,
      { upstreamId: 'demo', subject: 'intruder' },
      { ip: '198.51.100.7' },
    );
    expect(result.outcome).toBe('wrong_identity');
    expect(await directory.findByProfile('p')).toBeUndefined();
    expect(await audit.query({ limit: 10 })).toEqual([
      expect.objectContaining({
        action: 'association.refused',
        outcome: 'failure',
        actor: 'person:demo:intruder',
        ip: '198.51.100.7',
        profileId: 'p',
        details: expect.objectContaining({ reason: 'different_account' }),
      }),
    ]);
  });
});

import { describe, expect, it } from '@jest/globals';
import type { AssociationMail } from '../../src/association/association-mail.ts';
import { requestAssociationLinks } from '../../src/association/request-links.ts';
import type { AuditLog } from '../../src/audit/audit-log.ts';
import { createManualClock } from '../../src/shared/clock.ts';
import { createMemoryAuditLog } from '../../src/stores/memory/audit-log.ts';
import { createMemoryDirectory } from '../../src/stores/memory/directory.ts';
import { createMemoryLinkStore } from '../../src/stores/memory/link-store.ts';
import { createMemoryRateLimiter } from '../../src/stores/memory/rate-limiter.ts';

describe('requesting association links', () => {
  it('still sends the other profiles their links when a store fails for one, and records each link before its mail', async () => {
    const directory = createMemoryDirectory({
      organisations: [
        {
          id: 'o1',
          accountNumber: 'C-1',
          name: 'One',
          kind: 'customer',
          status: 'active',
          contractEndsOn: '2099-12-31',
        },
        {
          id: 'o2',
          accountNumber: 'C-2',
          name: 'Two',
          kind: 'customer',
          status: 'active',
          contractEndsOn: '2099-12-31',
        },
      ],
      profiles: [
        {
          id: 'p1',
          organisationId: 'o1',
          email: 'x@org.example',
          displayName: 'X',
          role: 'professional',
          status: 'active',
        },
        {
          id: 'p2',
          organisationId: 'o2',
          email: 'x@org.example',
          displayName: 'X',
          role: 'professional',
          status: 'active',
        },
      ],
      associations: [],
    });
    const log = createMemoryAuditLog();
    let failuresLeft = 1;
    const audit: AuditLog = {
      query: (f) => log.query(f),
      async record(event) {
        if (failuresLeft-- > 0) throw new Error('store unavailable');
        await log.record(event);
      },
    };
    const mailed: { profile: string; reference: string }[] = [];
    const mail: AssociationMail = {
      sendLink: async (m) => {
        mailed.push({ profile: m.profile.id, reference: m.reference });
      },
      sendInvitation: async () => undefined,
      sendHeldBack: async () => undefined,
      sendNotice: async () => undefined,
      sendRemoved: async () => undefined,
      sendIneligible: async () => undefined,
      sendUnknownAddress: async () => undefined,
    };
    const warnings: string[] = [];
    const result = await requestAssociationLinks(
      {
        directory,
        associations: directory,
        links: createMemoryLinkStore(),
        mail,
        audit,
        clock: createManualClock(),
        logger: { info: () => undefined, warn: (event) => warnings.push(event), error: () => undefined },
        perRecipient: createMemoryRateLimiter({ keyPrefix: 'a', points: 10, windowSeconds: 60 }),
        perRecipientTotal: createMemoryRateLimiter({ keyPrefix: 'b', points: 10, windowSeconds: 60 }),
        heldBackNotice: createMemoryRateLimiter({ keyPrefix: 'c', points: 1, windowSeconds: 60 }),
        linkTtlSeconds: 3600,
        linkUrl: (t) => `https://broker.example/associate/${t}`,
        upstreamName: () => 'Demo',
        noLink: { ineligible: async () => undefined, unknownAddress: async () => undefined },
      },
      {
        email: 'x@org.example',
        identity: { upstreamId: 'demo', subject: 's' },
        client: { id: 'c', name: 'Portal', policy: { profileKinds: ['customer'], contractRequired: true } },
      },
    );

    expect(result).toEqual({ sent: 1 });
    expect(warnings).toEqual(['association.link_failed']);
    // The profile whose audit write failed got no mail; the other got its link, quoting the recorded reference.
    expect(mailed).toHaveLength(1);
    const events = await log.query({ limit: 10 });
    expect(events).toEqual([
      expect.objectContaining({
        id: mailed[0]!.reference,
        action: 'association.link_issued',
        profileId: mailed[0]!.profile,
      }),
    ]);
  });
});

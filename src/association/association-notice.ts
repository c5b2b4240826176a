import type { AssociationStore } from '../directory/association-store.ts';
import type { DirectoryStore } from '../directory/directory-store.ts';
import type { Association, Organisation, Profile } from '../directory/model.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { AssociationMail } from './association-mail.ts';
import { maskAccount } from './mask.ts';

export interface NoticeDeps {
  directory: DirectoryStore;
  associations: AssociationStore;
  mail: AssociationMail;
  clock: Clock;
  logger: Logger;
  upstreamName(upstreamId: string): string;
}

/**
 * Hands an association's notice to the delivery queue, then clears it from the outbox (the association's
 * `noticePending`). The queue keeps one message per association reference, so handing it over again after a crash
 * or from a second node sends nothing more.
 */
export async function deliverNotice(
  deps: NoticeDeps,
  association: Association & { reference: string },
  known?: { profile: Profile; organisation: Organisation },
  /** The language of the page that made the association (the relay does not know it: the profile's or the default). */
  language?: string,
): Promise<void> {
  const profile = known?.profile ?? (await deps.directory.getProfile(association.profileId));
  const organisation =
    known?.organisation ?? (profile && (await deps.directory.getOrganisation(profile.organisationId)));
  // A profile deleted since has no address to tell; its notice is dropped with it.
  if (profile && organisation) {
    await deps.mail.sendNotice({
      profile,
      organisation,
      account: association.account ?? maskAccount(association),
      upstreamName: deps.upstreamName(association.upstreamId),
      reference: association.reference,
      at: association.associatedAt,
      language,
    });
  }
  await deps.associations.noticeQueued(association.profileId, association.reference);
}

/**
 * The outbox's relay: notices still pending `graceMs` after their association (the process that wrote it died
 * before handing the notice over) are handed over now. Every node runs it; the queue's ids keep it to one message.
 */
export async function relayPendingNotices(deps: NoticeDeps, graceMs: number): Promise<number> {
  const pending = await deps.associations.pendingNotices(new Date(deps.clock.now().getTime() - graceMs), 100);
  let relayed = 0;
  for (const association of pending) {
    if (!association.reference) continue;
    try {
      await deliverNotice(deps, { ...association, reference: association.reference });
      relayed += 1;
      deps.logger.info('association.notice_relayed', {
        reference: association.reference,
        profile: association.profileId,
      });
    } catch (err) {
      deps.logger.warn('association.notice_relay_failed', {
        reference: association.reference,
        message: (err as Error).message,
      });
    }
  }
  return relayed;
}

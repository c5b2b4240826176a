import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { AdministratorNotice, DirectoryAdminStore } from './directory-admin-store.ts';
import type { DirectoryStore } from './directory-store.ts';
import type { DirectoryMail } from './manage-directory.ts';

export interface AdministratorNoticeDeps {
  directory: DirectoryStore & Pick<DirectoryAdminStore, 'pendingAdministratorNotices' | 'administratorNoticeQueued'>;
  mail: DirectoryMail;
}

/**
 * Hands the emails of a change of administrator to the queue (the new administrator's, and the replaced one's),
 * then clears them from the outbox. The queue keeps one message per reference and kind, so handing them over again
 * after a crash sends nothing more.
 */
export async function deliverAdministratorNotice(
  deps: AdministratorNoticeDeps,
  notice: AdministratorNotice,
  /** The language of the page that made the change (the relay does not know it: each profile's or the default). */
  language?: string,
): Promise<void> {
  const administrator = await deps.directory.getProfile(notice.profileId);
  const organisation = administrator && (await deps.directory.getOrganisation(administrator.organisationId));
  const previous = notice.previousId ? await deps.directory.getProfile(notice.previousId) : undefined;
  // Told as it was at the change: the new one is the administrator, the replaced one a professional.
  if (administrator && organisation) {
    await deps.mail.administratorChanged({
      organisation,
      administrator: { ...administrator, role: 'administrator' },
      ...(previous ? { previous: { ...previous, role: 'professional' as const } } : {}),
      reference: notice.reference,
      language,
    });
  }
  await deps.directory.administratorNoticeQueued(notice.profileId, notice.reference);
}

/** The relay for these emails, as for association notices (association-notice.ts): what a dead process left owed. */
export async function relayAdministratorNotices(
  deps: AdministratorNoticeDeps & { logger: Logger; clock: Clock },
  graceMs: number,
): Promise<number> {
  let relayed = 0;
  for (const notice of await deps.directory.pendingAdministratorNotices(
    new Date(deps.clock.now().getTime() - graceMs),
    100,
  )) {
    try {
      await deliverAdministratorNotice(deps, notice);
      relayed += 1;
      deps.logger.info('directory.administrator_notice_relayed', {
        reference: notice.reference,
        profile: notice.profileId,
      });
    } catch (err) {
      deps.logger.warn('directory.administrator_notice_relay_failed', {
        reference: notice.reference,
        message: (err as Error).message,
      });
    }
  }
  return relayed;
}

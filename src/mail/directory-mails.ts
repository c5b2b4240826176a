import type { DirectoryMail } from '../directory/manage-directory.ts';
import type { DeliveryQueue } from './delivery-queue.ts';
import { mailLanguage } from './mail-language.ts';
import type { MailRenderer } from './render-mail.ts';

/** Renders the directory's emails from views/mail and hands them to the delivery queue. */
export function createDirectoryMail(deps: {
  renderer: MailRenderer;
  queue: DeliveryQueue;
  support: { name?: string; email: string };
}): DirectoryMail {
  return {
    async administratorChanged({ organisation, administrator, previous, reference, language }) {
      const common = {
        organisation: organisation.name,
        accountNumber: organisation.accountNumber,
        administrator: administrator.displayName,
        support: deps.support,
        reference,
      };
      const toNew = deps.renderer.render(
        'administrator-designated',
        {
          ...common,
          name: administrator.displayName,
          previous: previous?.displayName,
        },
        mailLanguage(deps.renderer.languages, administrator.locale, language),
      );
      // One message per change and kind, whoever hands it over (administrator-notice.ts).
      await deps.queue.enqueue({
        to: administrator.email,
        ...toNew,
        kind: 'administrator-designated',
        reference,
        id: `administrator-designated:${reference}`,
      });
      if (!previous) return;
      const toOld = deps.renderer.render(
        'administrator-replaced',
        { ...common, name: previous.displayName },
        mailLanguage(deps.renderer.languages, previous.locale, language),
      );
      await deps.queue.enqueue({
        to: previous.email,
        ...toOld,
        kind: 'administrator-replaced',
        reference,
        id: `administrator-replaced:${reference}`,
      });
    },
  };
}

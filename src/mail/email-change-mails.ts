import type { EmailChangeMail } from '../account/email-change-mail.ts';
import type { DeliveryQueue } from './delivery-queue.ts';
import { mailLanguage } from './mail-language.ts';
import type { MailRenderer } from './render-mail.ts';

/** Renders the emails of a change of registered email from views/mail and hands them to the delivery queue. */
export function createEmailChangeMail(deps: {
  renderer: MailRenderer;
  queue: DeliveryQueue;
  support: { name?: string; email: string };
}): EmailChangeMail {
  return {
    async sendConfirmation(message) {
      const rendered = deps.renderer.render(
        'email-change-confirm',
        {
          name: message.profile.displayName,
          organisation: message.organisation.name,
          accountNumber: message.organisation.accountNumber,
          oldAddress: message.oldAddress,
          account: message.account,
          url: message.url,
          expires: message.expiresAt,
          support: deps.support,
          reference: message.reference,
        },
        mailLanguage(deps.renderer.languages, message.profile.locale, message.language),
      );
      await deps.queue.enqueue({
        to: message.to,
        ...rendered,
        kind: 'email-change-confirm',
        reference: message.reference,
      });
    },
    async sendChanged(message) {
      const rendered = deps.renderer.render(
        'email-change-notice',
        {
          name: message.profile.displayName,
          organisation: message.organisation.name,
          accountNumber: message.organisation.accountNumber,
          newAddress: message.newAddress,
          account: message.account,
          at: message.at,
          support: deps.support,
          reference: message.reference,
        },
        mailLanguage(deps.renderer.languages, message.profile.locale, message.language),
      );
      // One notice per change, however often it is handed over.
      await deps.queue.enqueue({
        to: message.to,
        ...rendered,
        kind: 'email-change-notice',
        reference: message.reference,
        id: `email-change-notice:${message.reference}`,
      });
    },
  };
}

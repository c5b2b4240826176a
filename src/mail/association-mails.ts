import type { AssociationMail } from '../association/association-mail.ts';
import type { DeliveryQueue } from './delivery-queue.ts';
import type { MailRenderer } from './render-mail.ts';

const when = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** Renders the association emails from views/mail and hands them to the delivery queue. */
export function createAssociationMail(deps: { renderer: MailRenderer; queue: DeliveryQueue; support: { name: string; email: string } }): AssociationMail {
  return {
    async sendLink(message) {
      const { reference } = message;
      const rendered = deps.renderer.render('association-link', {
        name: message.profile.displayName,
        organisation: message.organisation.name,
        accountNumber: message.organisation.accountNumber,
        role: message.profile.role,
        url: message.url,
        expires: when(message.expiresAt),
        upstreamName: message.upstreamName,
        portalName: message.portalName,
        currentAccount: message.currentAccount,
        support: deps.support,
        reference,
      });
      await deps.queue.enqueue({ to: message.profile.email, ...rendered, kind: 'association-link', reference, link: { profileId: message.profile.id, id: message.linkId } });
    },
    async sendInvitation(message) {
      const rendered = deps.renderer.render('association-invitation', {
        name: message.profile.displayName,
        organisation: message.organisation.name,
        accountNumber: message.organisation.accountNumber,
        role: message.profile.role,
        url: message.url,
        expires: when(message.expiresAt),
        portalName: message.portalName,
        support: deps.support,
        reference: message.reference,
      });
      await deps.queue.enqueue({ to: message.profile.email, ...rendered, kind: 'association-invitation', reference: message.reference, link: { profileId: message.profile.id, id: message.linkId } });
    },
    async sendNotice(message) {
      const rendered = deps.renderer.render('association-notice', {
        name: message.profile.displayName,
        organisation: message.organisation.name,
        accountNumber: message.organisation.accountNumber,
        account: message.account,
        upstreamName: message.upstreamName,
        at: when(message.at),
        support: deps.support,
        reference: message.reference,
      });
      await deps.queue.enqueue({ to: message.profile.email, ...rendered, kind: 'association-notice', reference: message.reference });
    },
  };
}

import type { AssociationMail } from '../association/association-mail.ts';
import type { DeliveryQueue } from './delivery-queue.ts';
import { mailLanguage } from './mail-language.ts';
import type { MailRenderer } from './render-mail.ts';

type LinkMessage = Parameters<AssociationMail['sendInvitation']>[0];
type NoticeMessage = Parameters<AssociationMail['sendNotice']>[0];

/** Renders the association emails from views/mail and hands them to the delivery queue. */
export function createAssociationMail(deps: {
  renderer: MailRenderer;
  queue: DeliveryQueue;
  support: { name?: string; email: string };
}): AssociationMail {
  /** The recipient's language, else the page's that caused the mail (mail-language.ts). */
  const languageOf = (message: { profile: { locale?: string }; language?: string }) =>
    mailLanguage(deps.renderer.languages, message.profile.locale, message.language);
  /** A mail carrying a link (requested or invited): what the profile is, the link, its expiry, its reference. */
  const sendLinkMail = async (kind: string, message: LinkMessage, extra: Record<string, unknown>) => {
    const language = languageOf(message);
    const rendered = deps.renderer.render(
      kind,
      {
        name: message.profile.displayName,
        organisation: message.organisation.name,
        accountNumber: message.organisation.accountNumber,
        role: message.profile.role,
        // The link's pages open in the email's language, as a portal's ui_locales opens a sign-in's.
        url: `${message.url}?ui_locales=${encodeURIComponent(language)}`,
        expires: message.expiresAt,
        portalName: message.portalName,
        support: deps.support,
        reference: message.reference,
        ...extra,
      },
      language,
    );
    await deps.queue.enqueue({
      to: message.profile.email,
      ...rendered,
      kind,
      reference: message.reference,
      link: { profileId: message.profile.id, id: message.linkId },
    });
  };
  /** A notice to the registered address about the account a profile is (or was) associated with. */
  const sendAccountNotice = async (kind: string, message: NoticeMessage) => {
    const rendered = deps.renderer.render(
      kind,
      {
        name: message.profile.displayName,
        organisation: message.organisation.name,
        accountNumber: message.organisation.accountNumber,
        account: message.account,
        upstreamName: message.upstreamName,
        at: message.at,
        support: deps.support,
        reference: message.reference,
      },
      languageOf(message),
    );
    await deps.queue.enqueue({
      to: message.profile.email,
      ...rendered,
      kind,
      reference: message.reference,
      id: `${kind}:${message.reference}`,
    });
  };
  return {
    sendLink: (message) =>
      sendLinkMail('association-link', message, {
        upstreamName: message.upstreamName,
        askingAccount: message.askingAccount,
        currentAccount: message.currentAccount,
      }),
    sendInvitation: (message) => sendLinkMail('association-invitation', message, { invitedBy: message.invitedBy }),
    sendHeldBack: (message) =>
      sendLinkMail('association-held-back', message, {
        requests: message.requests,
        linksSent: message.requests - message.heldBack,
        heldBack: message.heldBack,
        currentAccount: message.currentAccount,
      }),
    // One notice per association: the reference names the association, whoever hands it over (docs/decisions/0012).
    sendNotice: (message) => sendAccountNotice('association-notice', message),
    // One per removal: the reference is the removal's audit event.
    sendRemoved: (message) => sendAccountNotice('association-removed', message),
    async sendIneligible(message) {
      // One email for every profile of the address: in the language of the first that has one, else the page's.
      const language = mailLanguage(
        deps.renderer.languages,
        message.profiles.find((p) => p.profile.locale)?.profile.locale,
        message.language,
      );
      const names = new Set(message.profiles.map((p) => p.profile.displayName));
      const rendered = deps.renderer.render(
        'association-ineligible',
        {
          // Greeted by name only when every profile carries the same one.
          name: names.size === 1 ? [...names][0] : undefined,
          portalName: message.portalName,
          count: message.profiles.length,
          profiles: message.profiles.map((p) => ({
            organisation: p.organisation.name,
            accountNumber: p.organisation.accountNumber,
            role: p.profile.role,
            kind: p.organisation.kind,
            why: p.why,
            // A contract runs through its last day: the date it ended is that day, printed as a day (UTC).
            ended: p.organisation.contractEndsOn ? new Date(`${p.organisation.contractEndsOn}T00:00:00Z`) : undefined,
            advice: p.advice,
            administrators: p.administrators.join(', '),
            portals: p.portals.map((portal) => ({ name: portal.name, url: portal.url })),
          })),
          support: deps.support,
          reference: message.reference,
        },
        language,
      );
      await deps.queue.enqueue({
        to: message.to,
        ...rendered,
        kind: 'association-ineligible',
        reference: message.reference,
      });
    },
    async sendUnknownAddress(message) {
      const rendered = deps.renderer.render(
        'association-unknown-address',
        { portalName: message.portalName, support: deps.support, reference: message.reference },
        mailLanguage(deps.renderer.languages, undefined, message.language),
      );
      await deps.queue.enqueue({
        to: message.to,
        ...rendered,
        kind: 'association-unknown-address',
        reference: message.reference,
      });
    },
  };
}

import type { DeliveryFailure } from './smtp-failure.ts';

/** A rendered email, ready for a transport. `reference` ties it to log lines and to support; `kind` names the template. */
export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
  text: string;
  kind: string;
  reference: string;
  /**
   * Set on messages that a retry or a crash recovery may hand over again (notices): the queue delivers one message
   * per id, however often it is enqueued within a week.
   */
  id?: string;
  /** The association link this message carries, so that its delivery shows on the link (support desk). */
  link?: { profileId: string; id: string };
}

/**
 * Told when a message was accepted by the SMTP server, when an attempt failed and another is scheduled (`retried`),
 * or when it was given up on: after its last attempt, or at once when the server refused it for good
 * (`failure.permanent`).
 */
export type DeliveryOutcome = (
  mail: OutgoingMail,
  outcome: 'sent' | 'retried' | 'failed',
  failure?: DeliveryFailure,
) => Promise<void>;

/** Sends one message or throws; retrying is the delivery queue's job. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close?(): void;
}

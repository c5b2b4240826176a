/** A rendered email, ready for a transport. `reference` ties it to log lines and to support; `kind` names the template. */
export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
  text: string;
  kind: string;
  reference: string;
}

/** Sends one message or throws; retrying is the delivery queue's job. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close?(): void;
}

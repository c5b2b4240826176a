import nodemailer from 'nodemailer';
import type { MailTransport, OutgoingMail } from './outgoing.ts';

/** SMTP through nodemailer, with bounded timeouts so a dead server fails an attempt instead of hanging it. */
export function createSmtpTransport(options: { smtpUrl: string; from: string; timeoutMs: number }): MailTransport {
  const transporter = nodemailer.createTransport({
    url: options.smtpUrl,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  return {
    async send(mail) {
      await transporter.sendMail(message(options.from, mail));
    },
    close: () => transporter.close(),
  };
}

export interface MailboxEntry {
  id: number;
  to: string;
  subject: string;
  text: string;
  html: string;
  kind: string;
  reference: string;
  sentAt: Date;
}

/**
 * The development mailbox: nodemailer builds the message exactly as for SMTP, and it is kept in memory for the
 * demo's mailbox page instead of being sent. Keeps the newest 200.
 */
export function createDevMailbox(from: string) {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const entries: MailboxEntry[] = [];
  let next = 1;
  const transport: MailTransport = {
    async send(mail) {
      await transporter.sendMail(message(from, mail));
      entries.unshift({
        id: next++,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        kind: mail.kind,
        reference: mail.reference,
        sentAt: new Date(),
      });
      entries.length = Math.min(entries.length, 200);
    },
  };
  return { transport, list: () => entries, get: (id: number) => entries.find((e) => e.id === id) };
}

export type DevMailbox = ReturnType<typeof createDevMailbox>;

function message(from: string, mail: OutgoingMail) {
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    headers: { 'X-Broker-Reference': mail.reference },
  };
}

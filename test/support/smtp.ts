import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server in the test process (smtp-server), keeping every message parsed by mailparser.
 * `waitFor` resolves when a condition on the received messages holds: tests wait for mail, never sleep.
 */
export async function startSmtp(
  port = 0,
  options: { refuse?: (recipient: string) => number | undefined; refuseConnection?: () => number | undefined } = {},
) {
  const messages: ParsedMail[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // A recipient the test wants refused gets that SMTP reply code (4xx: try later; 5xx: never), naming the address
    // as real servers do.
    onConnect(_session, callback) {
      const code = options.refuseConnection?.();
      if (!code) return callback();
      return callback(Object.assign(new Error('Service not available for your address'), { responseCode: code }));
    },
    onRcptTo(address, _session, callback) {
      const code = options.refuse?.(address.address);
      if (!code) return callback();
      const error = Object.assign(new Error(`<${address.address}>: Recipient address rejected`), {
        responseCode: code,
      });
      return callback(error);
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          messages.push(parsed);
          for (const wake of waiters) wake();
          callback();
        })
        .catch(callback);
    },
  });
  // smtp-server reports a client that vanished mid-conversation (a broker process stopped or killed while sending)
  // as an 'error' event; unheard, it would end the test run. The message simply never arrives, as with a real server.
  server.on('error', () => undefined);
  server.listen(port, '127.0.0.1');
  await once(server.server, 'listening');
  const actualPort = (server.server.address() as AddressInfo).port;

  return {
    port: actualPort,
    url: `smtp://127.0.0.1:${actualPort}`,
    messages,
    to: (address: string) => messages.filter((m) => addresses(m).includes(address)),
    waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
      if (condition()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`mail condition not met within ${timeoutMs} ms; ${messages.length} message(s) received`));
        }, timeoutMs);
        const check = () => {
          if (!condition()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type SmtpCapture = Awaited<ReturnType<typeof startSmtp>>;

export function addresses(message: ParsedMail): string[] {
  const to = Array.isArray(message.to) ? message.to : message.to ? [message.to] : [];
  return to.flatMap((a) => a.value.map((v) => v.address ?? ''));
}

/** The association link in a message's text part. */
export function linkIn(message: ParsedMail, issuer: string): string {
  const match = new RegExp(`${issuer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/associate/[A-Za-z0-9_-]+`).exec(
    message.text ?? '',
  );
  if (!match) throw new Error(`no association link in: ${message.text}`);
  return match[0];
}

/** How a failed delivery attempt is told to logs, operators and the audit log. */
export interface DeliveryFailure {
  /** The server's or the transport's words, with every email address replaced: logs hold no addresses. */
  reason: string;
  /**
   * A 5xx SMTP reply (RFC 5321 §4.2.1: "permanent negative completion"): the same message will be refused again,
   * so it is not retried. Anything else (4xx, a dead connection, a timeout) is worth another attempt.
   */
  permanent: boolean;
}

const ADDRESS = /[^\s<>()[\]"',;:]+@[^\s<>()[\]"',;:]+/g;

export function redactAddresses(text: string): string {
  return text.replace(ADDRESS, '[address]');
}

/**
 * nodemailer's errors carry the SMTP reply code as `responseCode` when the server answered, and say in `code` what
 * it answered to: EENVELOPE (a recipient or the sender refused) and EMESSAGE (the message refused) are about this
 * message; a refused login (EAUTH), greeting or TLS (ECONNECTION, EPROTOCOL, ETLS) are about the server, and may
 * pass (a rotated password, a relay briefly refusing the broker), so they are retried whatever their code.
 */
export function describeDeliveryFailure(err: unknown): DeliveryFailure {
  const { message, responseCode, code } = err as { message?: string; responseCode?: unknown; code?: unknown };
  const aboutThisMessage = code === 'EENVELOPE' || code === 'EMESSAGE';
  const permanent = aboutThisMessage && typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600;
  const words = redactAddresses(String(message ?? err)).slice(0, 300);
  return { reason: typeof code === 'string' && !words.startsWith(code) ? `${code}: ${words}` : words, permanent };
}

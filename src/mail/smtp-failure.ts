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

/** nodemailer's errors carry the SMTP reply code as `responseCode` when the server answered. */
export function describeDeliveryFailure(err: unknown): DeliveryFailure {
  const { message, responseCode, code } = err as { message?: string; responseCode?: unknown; code?: unknown };
  const permanent = typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600;
  const words = redactAddresses(String(message ?? err)).slice(0, 300);
  return { reason: typeof code === 'string' && !words.startsWith(code) ? `${code}: ${words}` : words, permanent };
}

import type { UpstreamIdentity } from '../directory/model.ts';

/**
 * How an upstream account is named to people and support: enough to recognise it, not enough to harvest it.
 * "alice@outlook.com" → "a***e@outlook.com"; without an email, the last characters of its subject.
 */
export function maskAccount(identity: Pick<UpstreamIdentity, 'email' | 'subject'>): string {
  if (identity.email && identity.email.includes('@')) return maskEmail(identity.email);
  return `account …${identity.subject.slice(-4)}`;
}

/** An address as notices show it: the first and last character before the @, and the whole domain. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const shown = local.length <= 2 ? `${local[0] ?? ''}***` : `${local[0]}***${local[local.length - 1]}`;
  return `${shown}@${domain}`;
}

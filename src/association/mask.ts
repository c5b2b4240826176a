import type { UpstreamIdentity } from '../directory/model.ts';

/**
 * How an upstream account is named to people and support: enough to recognise it, not enough to harvest it.
 * "alice@outlook.com" → "a***e@outlook.com"; without an email, the last characters of its subject.
 */
export function maskAccount(identity: Pick<UpstreamIdentity, 'email' | 'subject'>): string {
  if (identity.email && identity.email.includes('@')) {
    const [local, domain] = identity.email.split('@') as [string, string];
    const shown = local.length <= 2 ? `${local[0] ?? ''}***` : `${local[0]}***${local[local.length - 1]}`;
    return `${shown}@${domain}`;
  }
  return `account …${identity.subject.slice(-4)}`;
}

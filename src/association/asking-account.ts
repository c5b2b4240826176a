import type { UpstreamIdentity } from '../directory/model.ts';
import { maskAccount } from './mask.ts';

/** Longest display name an email repeats; the rest is cut, since the upstream lets its users write anything there. */
const NAME_MAX = 64;

/**
 * How an email names the upstream account that asked for a link, so that the mailbox's owner can tell their own
 * request from a stranger's: masked as the association notice masks it (`a***e@example.com`) where the upstream
 * gave an address; else the display name the upstream gave, on one line; else nothing, and the email says "someone"
 * (a subject's last characters mean nothing to the person reading).
 */
export function askingAccount(identity: Pick<UpstreamIdentity, 'email' | 'name' | 'subject'>): string | undefined {
  if (identity.email?.includes('@')) return maskAccount(identity);
  // Control characters and line breaks out, runs of spaces as one: the name is shown inside a sentence.
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  const name = identity.name?.replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, ' ').trim();
  if (!name) return undefined;
  return name.length > NAME_MAX ? `${name.slice(0, NAME_MAX - 1)}…` : name;
}

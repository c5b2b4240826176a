import type { RateLimiter } from '../association/rate-limiter.ts';
import type { ProfileResolver } from '../directory/admitted-profiles.ts';
import type { ManageDirectoryDeps } from '../directory/manage-directory.ts';
import type { UpstreamIdentity } from '../directory/model.ts';
import { randomToken, referenceFor, sha256 } from '../shared/ids.ts';
import type { EmailChangeMail } from './email-change-mail.ts';
import type { EmailChangeStore } from './email-change-store.ts';

/**
 * A request to change a profile's registered email, waiting for the new mailbox to confirm it. Like an association
 * link (docs/architecture.md §4), only the hash of its token is stored: the raw token exists in the email alone.
 */
export interface EmailChange {
  /** Not secret: names the request in the audit log and to support. */
  id: string;
  tokenHash: string;
  profileId: string;
  organisationId: string;
  /** The registered address when the change was asked for; the change applies only while it still is. */
  oldEmail: string;
  newEmail: string;
  /** The upstream account that asked: the change applies only while the profile is still associated with it. */
  requester: Pick<UpstreamIdentity, 'upstreamId' | 'subject'>;
  createdAt: Date;
  expiresAt: Date;
  /** `superseded`: the profile asked again since; `revoked`: the store was told the request no longer holds. */
  status: 'pending' | 'confirmed' | 'superseded' | 'revoked';
}

export type EmailChangeState = EmailChange['status'] | 'expired';

export function emailChangeState(change: EmailChange, now: Date): EmailChangeState {
  if (change.status !== 'pending') return change.status;
  return change.expiresAt.getTime() <= now.getTime() ? 'expired' : 'pending';
}

/** The support reference of a request: its audit event's id, printed in the confirmation email. */
export function emailChangeReference(changeId: string): string {
  return referenceFor(`email-change:${changeId}`);
}

/** The reference of the change once confirmed: the directory's audit event, printed in the notice to the old address. */
export function emailChangedReference(changeId: string): string {
  return referenceFor(`email-changed:${changeId}`);
}

/** A new pending request, ready to issue: the raw token (for the email, never stored) and the record with its hash. */
export function newEmailChange(
  options: Omit<EmailChange, 'id' | 'tokenHash' | 'expiresAt' | 'status'> & { ttlSeconds: number },
) {
  const { ttlSeconds, ...fields } = options;
  const token = randomToken(32);
  const change: EmailChange = {
    ...fields,
    requester: { upstreamId: fields.requester.upstreamId, subject: fields.requester.subject },
    id: randomToken(9),
    tokenHash: hashEmailChangeToken(token),
    expiresAt: new Date(fields.createdAt.getTime() + ttlSeconds * 1000),
    status: 'pending',
  };
  return { token, change };
}

/**
 * 256 bits from the CSPRNG, hashed with a label of its own: an association link's token is never a confirmation's,
 * whatever store a lookup reaches.
 */
export function hashEmailChangeToken(token: string): string {
  return sha256(`email-change:${token}`);
}

/** Tokens are base64url of 32 bytes; the HTTP route refuses anything else before hashing or looking it up. */
export const EMAIL_CHANGE_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * What changing one's registered email needs, bound once by the composition root. The change itself is the
 * directory's `updateProfile`, the administrators' own use case, so it revokes the links sent to the old address and
 * keeps the directory's rules (one profile per address in an organisation) whoever makes it.
 */
export interface EmailChangeDeps {
  /** The directory administration's dependencies (store, audit log, clock, link revocation). */
  directory: ManageDirectoryDeps;
  /** Who may act as a profile now (account-holder.ts): a change applies only while its requester still may. */
  profiles: Pick<ProfileResolver, 'account'>;
  changes: EmailChangeStore;
  mail: EmailChangeMail;
  /** Requests per profile (keyed by profile id): each sends an email to an address of the person's choosing. */
  perProfile: RateLimiter;
  /** How long a confirmation link works. */
  ttlSeconds: number;
  /** The address of the confirmation link that carries `token`. */
  confirmUrl(token: string): string;
}

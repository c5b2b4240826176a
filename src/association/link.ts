import type { UpstreamIdentity } from '../directory/model.ts';
import { randomToken, referenceFor, sha256 } from '../shared/ids.ts';

/**
 * An emailed association link (docs/architecture.md §4): proof that the person controls the profile's registered email,
 * bound to the upstream identity that asked for it. Only the token's hash is stored.
 */
export interface AssociationLink {
  /** Not secret: names the link in logs and to support. */
  id: string;
  tokenHash: string;
  profileId: string;
  /**
   * The upstream identity that asked for it: only it can redeem the link. Absent on an invitation (support's "Send
   * Invite E-mail"): nobody asked, and whoever controls the registered email and signs in with the link takes it.
   */
  requester?: Pick<UpstreamIdentity, 'upstreamId' | 'subject'>;
  /** The portal whose sign-in asked for it (or an invitation names): the success page leads back there. */
  clientId?: string;
  createdAt: Date;
  expiresAt: Date;
  /** A link sent when requests were held back over the address's budget (request-links.ts); bound to no account. */
  kind?: 'held_back';
  /** `redeeming`: claimed by the identity that asked for it, association being written; a retry may finish it. */
  status: 'active' | 'redeeming' | 'used' | 'superseded' | 'revoked';
  usedAt?: Date;
}

export type LinkState = AssociationLink['status'] | 'expired';

/**
 * Who a link was issued to, as a key: the requesting upstream identity, or, for a link nobody asked for (which
 * whoever controls the mailbox may use), its kind: invitation or held-back. A newer link supersedes only older links
 * of the same key: one person's request never takes another's link away.
 */
export function requesterKey(link: Pick<AssociationLink, 'requester' | 'kind'>): string {
  if (link.requester) return `${link.requester.upstreamId}|${link.requester.subject}`;
  // Held-back links supersede only each other: a stranger's request never takes support's invitation away.
  return link.kind === 'held_back' ? 'held-back' : '';
}

export function linkState(link: AssociationLink, now: Date): LinkState {
  if (link.status !== 'active') return link.status;
  return link.expiresAt.getTime() <= now.getTime() ? 'expired' : 'active';
}

/** The support reference of a link: its audit event's id, printed in its email. */
export function linkReference(linkId: string): string {
  return referenceFor(`link:${linkId}`);
}

/**
 * A new active link for a profile, ready to issue: the raw token (for the email, never stored), the link record
 * holding only its hash, and its support reference.
 */
export function newLink(options: {
  profileId: string;
  requester?: AssociationLink['requester'];
  kind?: AssociationLink['kind'];
  clientId?: string;
  now: Date;
  ttlSeconds: number;
}) {
  const { token, tokenHash } = newLinkToken();
  const link: AssociationLink = {
    id: randomToken(9),
    tokenHash,
    profileId: options.profileId,
    ...(options.requester
      ? { requester: { upstreamId: options.requester.upstreamId, subject: options.requester.subject } }
      : {}),
    ...(options.clientId ? { clientId: options.clientId } : {}),
    ...(options.kind ? { kind: options.kind } : {}),
    createdAt: options.now,
    expiresAt: new Date(options.now.getTime() + options.ttlSeconds * 1000),
    status: 'active',
  };
  return { token, link, reference: linkReference(link.id) };
}

/** 256 bits from the CSPRNG; the raw value exists only in the email and the person's browser. */
export function newLinkToken(): { token: string; tokenHash: string } {
  const token = randomToken(32);
  return { token, tokenHash: hashLinkToken(token) };
}

export function hashLinkToken(token: string): string {
  return sha256(`association-link:${token}`);
}

/** Link tokens are base64url of 32 bytes; anything else is refused before any lookup. */
export const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The organisation directory as the rest of the broker sees it. */

/** One of the configured profile kinds (profile-kinds.ts); checked where it comes in, kept as text. */
export type ProfileKind = string;

export const PROFILE_ROLES = ['administrator', 'professional'] as const;
export type ProfileRole = (typeof PROFILE_ROLES)[number];

/** A disabled organisation or profile stays in the directory but signs nobody in. */
export const RECORD_STATUSES = ['active', 'disabled'] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];

export interface Organisation {
  id: string;
  accountNumber: string;
  name: string;
  /**
   * Customers use the customer portal, partners and employees the partner portal (in the demo); a profile's kind is
   * its organisation's kind, one of the configured kinds (profile-kinds.ts).
   */
  kind: ProfileKind;
  status: RecordStatus;
  /** Last day the service contract covers, as an ISO date (YYYY-MM-DD); absent when there is no contract. */
  contractEndsOn?: string;
}

export interface Profile {
  id: string;
  organisationId: string;
  /** The email registered with the organisation; stored trimmed and lower-case. */
  email: string;
  displayName: string;
  role: ProfileRole;
  status: RecordStatus;
  /**
   * The language the person reads their emails in (a BCP 47 tag such as de or fr-CH); absent, emails are in the
   * language of the page that caused them, else the broker's default.
   */
  locale?: string;
}

/**
 * A profile's `locale` as the directory accepts it: a well-formed BCP 47 tag of a language and optional subtags (de,
 * fr-CH, zh-Hant-TW), at most 35 characters. Any such tag is kept, whether or not the broker has its catalogue.
 */
export const LOCALE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
export const LOCALE_MAX_LENGTH = 35;
export const isLocaleTag = (value: string) => value.length <= LOCALE_MAX_LENGTH && LOCALE_TAG.test(value);
export const LOCALE_RULE = 'a BCP 47 language tag such as de or fr-CH';

/** A tag in its conventional case (fr-ch → fr-CH, zh-hant → zh-Hant), so that a tag written twice compares equal. */
export function normaliseLocale(tag: string): string {
  return tag
    .split('-')
    .map((part, i) =>
      i === 0
        ? part.toLowerCase()
        : part.length === 2
          ? part.toUpperCase()
          : part.length === 4 && /^[A-Za-z]+$/.test(part)
            ? part.charAt(0).toUpperCase() + part.slice(1).toLowerCase()
            : part.toLowerCase(),
    )
    .join('-');
}

/** Who signed in upstream: keyed on (upstream, sub), never on email. */
export interface UpstreamIdentity {
  upstreamId: string;
  subject: string;
  /** Informational only (shown masked to the person and support); never used to match anything. */
  email?: string;
  name?: string;
  /** When the person authenticated upstream (the ID token's auth_time), epoch seconds; not part of the key. */
  authTime?: number;
}

export interface Association {
  profileId: string;
  upstreamId: string;
  subject: string;
  associatedAt: Date;
  /** How it was made, for the support desk: the association link that made it (and the audit event's reference). Absent for associations loaded from a seed. */
  linkId?: string;
  reference?: string;
  /** The upstream account, masked as the person was shown it (mask.ts). */
  account?: string;
  /**
   * Set in the same write as the association when its owner must be told (association by link), and cleared once the
   * notice is in the delivery queue: an outbox, so that a crash in between neither loses nor repeats the notice.
   */
  noticePending?: boolean;
}

export function sameIdentity(
  a: Pick<UpstreamIdentity, 'upstreamId' | 'subject'>,
  b: Pick<UpstreamIdentity, 'upstreamId' | 'subject'>,
): boolean {
  return a.upstreamId === b.upstreamId && a.subject === b.subject;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

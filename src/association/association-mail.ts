import type { Organisation, Profile } from '../directory/model.ts';

/**
 * Why a profile registered with the address cannot be used with the portal asked for: `contract_ended` when the
 * organisation's contract has an end date that has passed, `no_contract` when it has none.
 */
export type IneligibleWhy =
  'contract_ended' | 'no_contract' | 'kind_not_admitted' | 'profile_disabled' | 'organisation_disabled';

/**
 * What the person can do about it: who renews a contract (the organisation's administrators; the person, being its
 * administrator, with the support desk; the support desk when there is no administrator), which portals admit the
 * profile, or whom to ask to enable it again.
 */
export type IneligibleAdvice =
  | 'renew_by_administrators'
  | 'renew_yourself'
  | 'renew_by_support'
  | 'use_portals'
  | 'no_portal'
  | 'ask_administrators'
  | 'ask_support';

/** One matching profile in the email that says why no link was sent. */
export interface IneligibleProfile {
  profile: Profile;
  organisation: Organisation;
  why: IneligibleWhy;
  advice: IneligibleAdvice;
  /** The organisation's active administrators by display name (the profile itself left out). */
  administrators: string[];
  /** For `use_portals`: the portals that admit the profile now, with the address to start from where they have one. */
  portals: { name: string; url?: string }[];
}

/** The emails of the association flow, as the flow needs them; mail/ renders and delivers them. */
export interface AssociationMail {
  /** One email per profile: the link, whose organisation and role it is for, when it expires. */
  sendLink(message: {
    profile: Profile;
    organisation: Organisation;
    url: string;
    expiresAt: Date;
    upstreamName: string;
    /** The upstream account that asked, as the mailbox's owner may recognise it (asking-account.ts); absent: "someone". */
    askingAccount?: string;
    portalName: string;
    /** Set when the profile is associated with another account now; following the link moves it. */
    currentAccount?: string;
    /** The support reference printed in the mail: the audit event of this link. */
    reference: string;
    linkId: string;
    /** The language of the page that caused the email; the profile's own `locale` comes first. */
    language?: string;
  }): Promise<void>;
  /** "Send Invite E-mail": a link the support desk (or an administrator) sent; whoever signs in with it takes the profile. */
  sendInvitation(message: {
    profile: Profile;
    organisation: Organisation;
    url: string;
    expiresAt: Date;
    portalName?: string;
    /** Who sent it, when a person did (an organisation's administrator, by display name); absent for the support desk. */
    invitedBy?: string;
    reference: string;
    linkId: string;
    /** The language of the page that caused the email; the profile's own `locale` comes first. */
    language?: string;
  }): Promise<void>;
  /**
   * When requests for the address were held back over its hourly budget: how many there were, and a link bound to
   * no account, so that the mailbox's owner can associate the account of their choice.
   */
  sendHeldBack(message: {
    profile: Profile;
    organisation: Organisation;
    url: string;
    expiresAt: Date;
    portalName: string;
    requests: number;
    heldBack: number;
    currentAccount?: string;
    reference: string;
    linkId: string;
    /** The language of the page that caused the email; the profile's own `locale` comes first. */
    language?: string;
  }): Promise<void>;
  /** After an association: tells the registered address which account was linked, with a support reference. */
  sendNotice(message: {
    profile: Profile;
    organisation: Organisation;
    account: string;
    upstreamName: string;
    reference: string;
    at: Date;
    /** The language of the page that caused the email; the profile's own `locale` comes first. */
    language?: string;
  }): Promise<void>;
  /** After the person removed the profile from their account: tells the registered address, with a support reference. */
  sendRemoved(message: {
    profile: Profile;
    organisation: Organisation;
    account: string;
    upstreamName: string;
    reference: string;
    at: Date;
    /** The language of the page that caused the email; the profile's own `locale` comes first. */
    language?: string;
  }): Promise<void>;
  /**
   * Instead of links, when the address's profiles exist but the portal admits none of them: one email to the address,
   * saying for each profile why and what to do.
   */
  sendIneligible(message: {
    to: string;
    portalName: string;
    profiles: IneligibleProfile[];
    /** The support reference printed in the mail: the audit event of the explanation. */
    reference: string;
    /** The language of the page that caused the email; a profile's own `locale` comes first. */
    language?: string;
  }): Promise<void>;
  /** When enabled (`association.unknownAddressEmail`): no profile is registered with the address asked for. */
  sendUnknownAddress(message: { to: string; portalName: string; reference: string; language?: string }): Promise<void>;
}

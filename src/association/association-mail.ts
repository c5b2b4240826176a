import type { Organisation, Profile } from '../directory/model.ts';

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
}

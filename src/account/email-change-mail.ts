import type { Organisation, Profile } from '../directory/model.ts';

/** The emails of a change of registered email, as the use cases need them; mail/ renders and delivers them. */
export interface EmailChangeMail {
  /**
   * To the new address: who asked (the profile, its organisation, the account signed in), the link that confirms the
   * change, when it expires, and that nothing changes unless it is used.
   */
  sendConfirmation(message: {
    to: string;
    profile: Profile;
    organisation: Organisation;
    /** The address being replaced, masked: whoever receives this by mistake does not learn it. */
    oldAddress: string;
    /** The upstream account that asked, masked. */
    account: string;
    url: string;
    expiresAt: Date;
    /** The support reference printed in the mail: the audit event of the request. */
    reference: string;
    /** The language of the page that caused the email; the profile's own `locale` comes first. */
    language?: string;
  }): Promise<void>;
  /**
   * To the old address, once the change is made: which address replaced it (masked), that links sent to the old
   * address stopped working, and whom to contact with which reference if the owner did not ask for it.
   */
  sendChanged(message: {
    to: string;
    profile: Profile;
    organisation: Organisation;
    /** The new address, masked: the old mailbox may no longer be the person's own. */
    newAddress: string;
    account: string;
    reference: string;
    at: Date;
    /** The language of the page that caused the email; the profile's own `locale` comes first. */
    language?: string;
  }): Promise<void>;
}

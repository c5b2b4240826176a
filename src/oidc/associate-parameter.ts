import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { ACCOUNT_CONSOLE_CLIENT_ID } from '../clients/account-console-client.ts';

/**
 * `associate=another` on an authorization request: the broker asks for the address registered for another profile
 * before anything else, even when the person already has profiles the client admits (the account console's
 * "Associate another profile"). With prompt=select_account a broker session is enough, as for switching profile.
 * It only shows the first-login association step, which anyone signed in upstream may reach; what the step sends is
 * decided as for a first login.
 */
export const ASSOCIATE_PARAMETER = 'associate';
export const ASSOCIATE_ANOTHER = 'another';

/**
 * The `extraParams` validator: the parameter is absent, or says `another` on a request of the broker's own account
 * console. A portal cannot send people into the association step ahead of its own sign-in (nor past the page that
 * says why its profiles are refused, which is audited).
 */
export function checkAssociateParameter(ctx: KoaContextWithOIDC, value: unknown): void {
  if (value === undefined) return;
  if (value !== ASSOCIATE_ANOTHER) {
    throw new errors.InvalidRequest(`${ASSOCIATE_PARAMETER} must be "${ASSOCIATE_ANOTHER}"`);
  }
  if (ctx.oidc.client?.clientId !== ACCOUNT_CONSOLE_CLIENT_ID) {
    throw new errors.InvalidRequest(`${ASSOCIATE_PARAMETER} is for the broker's account console only`);
  }
}

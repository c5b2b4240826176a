import { errors } from 'oidc-provider';

/**
 * `associate=another` on an authorization request: the broker asks for the address registered for another profile
 * before anything else, even when the person already has profiles the client admits (the account console's
 * "Associate another profile"). With prompt=select_account a broker session is enough, as for switching profile.
 * It only shows the first-login association step, which anyone signed in upstream may reach; what the step sends is
 * decided as for a first login.
 */
export const ASSOCIATE_PARAMETER = 'associate';
export const ASSOCIATE_ANOTHER = 'another';

/** The `extraParams` validator: the parameter is absent or says `another`. */
export function checkAssociateParameter(_ctx: unknown, value: unknown): void {
  if (value === undefined || value === ASSOCIATE_ANOTHER) return;
  throw new errors.InvalidRequest(`${ASSOCIATE_PARAMETER} must be "${ASSOCIATE_ANOTHER}"`);
}

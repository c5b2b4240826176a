import { ASSOCIATE_ANOTHER, ASSOCIATE_PARAMETER } from '../oidc/associate-parameter.ts';
import { requestedPrompts, type InteractionDetails } from './interaction-context.ts';
import type { Person } from './steps/identity.ts';

/**
 * The profile to sign in with straight from the upstream's callback, without showing a page first: the one profile
 * the portal admits, when the portal did not ask for the picker (prompt=select_account) or the association step
 * (associate=another) and no association step is under way. Otherwise none: the interaction's page decides
 * (profile-step.ts), which also says why when no profile is admitted.
 */
export function profileToSignInAtOnce<C>(
  admitted: readonly C[],
  details: InteractionDetails,
  person: Pick<Person, 'association'>,
): C | undefined {
  if (admitted.length !== 1 || person.association) return undefined;
  if (requestedPrompts(details).has('select_account')) return undefined;
  if (details.params[ASSOCIATE_PARAMETER] === ASSOCIATE_ANOTHER) return undefined;
  return admitted[0];
}

import { accountHolder, type AccountHolder } from './account-holder.ts';
import { accountOverview, type AccountOverviewDeps } from './account-overview.ts';
import { removeProfileFromAccount, type RemoveProfileDeps } from './remove-profile.ts';

/** What the self-service use cases need; the composition root makes it once. */
export interface AccountDeps {
  holder: Parameters<typeof accountHolder>[0];
  overview: AccountOverviewDeps;
  removal: RemoveProfileDeps;
}

/**
 * The self-service use cases, bound to their dependencies once. The account console's pages and the account API call
 * these, the same functions behind both, each starting from the holder the session or token stands for.
 */
export function bindAccountOperations(deps: AccountDeps) {
  return {
    holderOf: (profileId: string) => accountHolder(deps.holder, profileId),
    overview: (holder: AccountHolder) => accountOverview(deps.overview, holder),
    removeProfile: (holder: AccountHolder, profileId: string, ip?: string) =>
      removeProfileFromAccount(deps.removal, holder, profileId, ip),
  };
}

export type AccountOperations = ReturnType<typeof bindAccountOperations>;

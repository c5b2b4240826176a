import type { Organisation, Profile } from './model.ts';

/**
 * The directory's records as the admin API and the command line show them: snake_case JSON, where the domain speaks
 * camelCase.
 */
export const organisationView = (o: Organisation & { administratorId?: string | null }) => ({
  id: o.id,
  account_number: o.accountNumber,
  name: o.name,
  kind: o.kind,
  status: o.status,
  contract_ends_on: o.contractEndsOn ?? null,
  ...(o.administratorId !== undefined ? { administrator_id: o.administratorId } : {}),
});

export const profileView = (p: Profile) => ({
  id: p.id,
  organisation_id: p.organisationId,
  email: p.email,
  display_name: p.displayName,
  role: p.role,
  status: p.status,
  locale: p.locale ?? null,
});

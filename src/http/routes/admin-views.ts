import { z } from 'zod';
import type { Organisation, Profile } from '../../directory/model.ts';

/** The admin API speaks snake_case JSON; the domain speaks camelCase. These are the directory's records as shown. */
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
});

/** Keyset paging for lists: at most 500 a page, 50 unless asked. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  after: z.string().min(1).max(200).optional(),
};

/** A reason, required where an action is irreversible or overrides someone (audited with the action). */
export const reasonInput = z.strictObject({ reason: z.string().trim().min(1).max(500) });
export const optionalReasonInput = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() });

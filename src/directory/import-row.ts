import { z } from 'zod';
import type { ImportRow } from './import-file.ts';
import { LOCALE_RULE, PROFILE_ROLES, RECORD_STATUSES, isLocaleTag, normaliseEmail, normaliseLocale } from './model.ts';
import { nameText } from './name-text.ts';
import { kindsRule, type ProfileKinds } from './profile-kinds.ts';
import { fieldReasons, type RowWhy } from './row-reason.ts';

const text = (max: number) => z.string().trim().min(1, 'is empty').max(max, `is longer than ${max} characters`);

/** One row, once read: what the row says, every value checked, its kind one of `kinds`. */
export const rowSchema = (kinds: ProfileKinds) =>
  z.object({
    account_number: text(64),
    organisation_name: nameText(200).optional(),
    kind: z.enum(kinds as [string, ...string[]], { error: kindsRule(kinds) }).optional(),
    contract_ends_on: z.union([z.literal(''), z.iso.date({ error: 'must be a date like 2027-06-30' })]).optional(),
    email: z.email({ error: 'is not an email address' }).max(254).transform(normaliseEmail),
    display_name: nameText(200),
    role: z.enum(PROFILE_ROLES, { error: `must be one of ${PROFILE_ROLES.join(', ')}` }).optional(),
    status: z.enum(RECORD_STATUSES, { error: 'must be active or disabled' }).optional(),
    // Empty clears the profile's language, as an empty contract_ends_on clears the contract.
    locale: z
      .string()
      .refine((tag) => tag === '' || isLocaleTag(tag), `must be ${LOCALE_RULE}`)
      .transform((tag) => tag && normaliseLocale(tag))
      .optional(),
  });
export type Row = z.output<ReturnType<typeof rowSchema>>;

const lower = (value?: string) => (value ? value.toLowerCase() : value);

/** One row of a file, read and checked: its values, or why it cannot be taken (a sentence, and codes for pages). */
export function readRow(
  schema: ReturnType<typeof rowSchema>,
  row: ImportRow,
): { row: Row } | { reason: string; why: RowWhy[] } {
  if (row.problem) return { reason: row.problem, why: row.why ? [row.why] : [] };
  const values = Object.fromEntries(
    Object.entries(row.values).map(([k, v]) => [k, k === 'kind' || k === 'role' || k === 'status' ? lower(v) : v]),
  );
  // Optional columns left empty mean "not given".
  for (const key of ['organisation_name', 'kind', 'role', 'status'] as const)
    if (values[key] === '') delete values[key];
  const parsed = schema.safeParse(values);
  if (parsed.success) return { row: parsed.data };
  return fieldReasons(parsed.error.issues);
}

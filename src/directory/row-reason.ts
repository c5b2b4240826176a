import type { z } from 'zod';

/**
 * Why an import row (or a pasted line) was rejected or left unchanged, as a code with its values: pages say it in
 * the reader's language (`organisation.rowReason.<code>`), while the import's JSON report keeps its English sentence
 * (`reason`) as before.
 */
export interface RowWhy {
  code: RowReasonCode;
  values?: Record<string, string | number>;
}

export type RowReasonCode =
  | 'field_count'
  | 'not_an_object'
  | 'two_properties'
  | 'not_text'
  | 'email_taken'
  | 'field_empty'
  | 'field_too_long'
  | 'field_invalid'
  | 'same_as_line'
  | 'differs_from_line'
  | 'organisation_differs'
  | 'organisation_incomplete'
  | 'administrator_taken'
  | 'conflict_account_number'
  | 'conflict_profile_email'
  | 'conflict_administrator'
  | 'not_written';

/** A row's reason: the English sentence the report keeps, and the code pages translate. */
export const because = (
  reason: string,
  code: RowReasonCode,
  values?: RowWhy['values'],
): { reason: string; why: RowWhy } => ({ reason, why: values ? { code, values } : { code } });

/** A row's values that do not pass their checks, one reason per field (the first check each fails). */
export function fieldReasons(issues: readonly z.core.$ZodIssue[]): { reason: string; why: RowWhy[] } {
  const reason = issues.map((i) => `${i.path.join('.') || 'row'} ${i.message}`).join('; ');
  const seen = new Set<string>();
  const why: RowWhy[] = [];
  for (const issue of issues) {
    const field = issue.path.join('.') || 'row';
    if (seen.has(field)) continue;
    seen.add(field);
    if (issue.code === 'too_small') why.push({ code: 'field_empty', values: { field } });
    else if (issue.code === 'too_big')
      why.push({ code: 'field_too_long', values: { field, max: Number(issue.maximum) } });
    else why.push({ code: 'field_invalid', values: { field } });
  }
  return { reason, why };
}

import { z } from 'zod';
import { LOCALE_MAX_LENGTH, LOCALE_RULE, LOCALE_TAG, RECORD_STATUSES } from '../../directory/model.ts';

/*
 * Input schemas several admin routes share. JSON Schema cannot say "trimmed before it is checked", so where zod trims,
 * `.meta` tells the document what a caller may send: not blank (`\S`).
 */

/** Text trimmed before it is checked, not blank. */
export const trimmedText = (max: number) => z.string().trim().min(1).max(max).meta({ pattern: '\\S' });

/** A reason, required where an action is irreversible or overrides someone (audited with the action). */
export const reasonInput = z
  .strictObject({ reason: trimmedText(500).meta({ description: 'Recorded in the audit log; not blank' }) })
  .meta({ id: 'Reason', examples: [{ reason: 'Left the organisation (ticket 4411)' }] });
export const optionalReasonInput = z
  .strictObject({
    reason: trimmedText(500).optional().meta({ description: 'Recorded in the audit log; not blank when given' }),
  })
  .meta({ id: 'OptionalReason', examples: [{ reason: 'Contract paused (ticket 4412)' }] });

/*
 * Path parameters. Any id is taken (clients from configuration may have ids the API would not make) and an unknown one
 * is a 404, so the document gives no pattern the server does not hold.
 */
const pathId = (description: string, example: string) =>
  z
    .string()
    .min(1)
    .meta({ description, examples: [example] });
export const clientPath = z.strictObject({ clientId: pathId('The client id', 'reseller-portal') });
export const organisationPath = z.strictObject({ organisationId: pathId('The organisation id', 'org-contoso') });
export const profilePath = z.strictObject({ profileId: pathId('The profile id', 'prf-erin-contoso') });

/** An id the caller chooses for a new record. */
export const newId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash or underscore, at most 64');
export const statusInput = z.enum(RECORD_STATUSES);
/**
 * People paste addresses with spaces around them; they are trimmed before they are checked (and stored lower-case).
 * The document describes the address as checked.
 */
export const emailInput = z.string().trim().pipe(z.email().max(254)).meta({
  format: 'email',
  maxLength: 254,
  pattern: z.regexes.email.source,
  description:
    "A plain address (letters, digits and . _ ' + - before the @; a domain with a dot and a top-level domain of 2+ letters); stored lower-case",
});
/** The language of a person's emails: a well-formed BCP 47 tag, whether or not the broker has its catalogue. */
export const localeInput = z
  .string()
  .max(LOCALE_MAX_LENGTH)
  .regex(LOCALE_TAG, `must be ${LOCALE_RULE}`)
  .meta({
    description: `The language the person reads their emails in: ${LOCALE_RULE}, at most ${LOCALE_MAX_LENGTH} characters. Emails fall back to English (or the broker's default) where the broker has no catalogue for it.`,
    examples: ['de', 'fr-CH'],
  });

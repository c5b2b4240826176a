import { z } from 'zod';

/**
 * Control characters (tabs, escapes, NUL, C1 controls: \p{Cc}) and line breaks (U+2028 and U+2029: \p{Zl}, \p{Zp}). A
 * name holding one is a pasting or export mistake at best, and at worst forges lines in emails, logs and terminal
 * output. Spelled as ranges so the same class serves the check and the JSON Schema pattern documenting it.
 */
const CONTROL = '\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029';
const CONTROL_OR_LINE_BREAK = new RegExp(`[${CONTROL}]`, 'u');

/**
 * An organisation name or a profile's display name, as the admin API and the import take it: trimmed, not empty, at
 * most `max` characters, on one line without control characters.
 */
export const nameText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'is empty')
    .max(max, `is longer than ${max} characters`)
    .refine((value) => !CONTROL_OR_LINE_BREAK.test(value), 'holds a line break or control character')
    .meta({
      // JSON Schema sees neither the trim nor the refinement: one character that is neither blank nor a control.
      pattern: `^[^${CONTROL}]*[^\\s${CONTROL}][^${CONTROL}]*$`,
      description: 'Trimmed; on one line, without control characters (tabs, escapes, line breaks)',
    });

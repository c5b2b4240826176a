import { z } from 'zod';

/**
 * Control characters (tabs, escapes, NUL, C1 controls) and line breaks (including U+2028 and U+2029). A name holding
 * one is a pasting or export mistake at best, and at worst forges lines in emails, logs and terminal output.
 */
const CONTROL_OR_LINE_BREAK = /[\p{Cc}\p{Zl}\p{Zp}]/u;

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
    .refine((value) => !CONTROL_OR_LINE_BREAK.test(value), 'holds a line break or control character');

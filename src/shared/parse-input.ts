import type { z } from 'zod';
import { BadRequestError } from './errors.ts';

/**
 * Parses untrusted input at the edge (a request, a command line); a failure is a 400 naming the fields, never a 500
 * deeper in.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'form'): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) {
    const fields = [
      ...new Set(
        result.error.issues.flatMap((i) => {
          const at = i.path.join('.');
          // An unknown property is named, so the caller knows what to remove.
          if (i.code === 'unrecognized_keys') return i.keys.map((k) => `${at ? `${at}.` : ''}${k} (unknown)`);
          // A rule that the caller cannot guess is spelled out: "kind must be one of customer, partner, employee".
          if (i.code === 'custom' && (i.params as { explain?: boolean } | undefined)?.explain)
            return [`${at || what} ${i.message}`];
          return [at || what];
        }),
      ),
    ];
    throw new BadRequestError('invalid_input', `malformed ${what}: ${fields.join(', ')}`, {
      fields: fields.join(', '),
    });
  }
  return result.data;
}

import type { z } from 'zod';
import { BadRequestError } from '../shared/errors.ts';

/** Parses untrusted input at the edge; a failure is a 400 naming the fields, never a 500 deeper in. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'form'): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) {
    const fields = [
      ...new Set(
        result.error.issues.flatMap((i) => {
          const at = i.path.join('.');
          // An unknown property is named, so the caller knows what to remove.
          if (i.code === 'unrecognized_keys') return i.keys.map((k) => `${at ? `${at}.` : ''}${k} (unknown)`);
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

/** A query parameter that must appear at most once; repeated parameters are refused rather than guessed at. */
export function singleParam(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) throw new BadRequestError('duplicate_parameter', 'repeated query parameter');
  return value;
}

import { BadRequestError } from '../shared/errors.ts';

// The command line parses with the same function, so it lives in shared/; the pages and the admin API import it here.
export { parseInput } from '../shared/parse-input.ts';

/** A query parameter that must appear at most once; repeated parameters are refused rather than guessed at. */
export function singleParam(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) throw new BadRequestError('duplicate_parameter', 'repeated query parameter');
  return value;
}

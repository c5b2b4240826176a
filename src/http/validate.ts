import { BadRequestError } from '../shared/errors.ts';

/** A query parameter that must appear at most once; repeated parameters are refused rather than guessed at. */
export function singleParam(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) throw new BadRequestError('duplicate_parameter', 'repeated query parameter');
  return value;
}

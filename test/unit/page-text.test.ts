import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ERROR_CODES, type MessageSource } from '../../src/shared/error-codes.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const templatesIn = (folder: string): string[] =>
  readdirSync(join(ROOT, 'views', 'errors', folder))
    .filter((file) => file.endsWith('.hbs'))
    .map((file) => file.slice(0, -'.hbs'.length))
    .sort();
const codesWhere = (has: (source: MessageSource) => boolean): string[] =>
  Object.entries(ERROR_CODES as Record<string, MessageSource>)
    .filter(([, source]) => has(source))
    .map(([code]) => code)
    .sort();

// The type check makes every thrown code one of ERROR_CODES; these hold the table and the template files together.
describe('page text lives in views/', () => {
  it('has a message template for every error code the broker throws, and a code for every template', () => {
    expect(Object.keys(ERROR_CODES).length).toBeGreaterThan(20);
    expect(templatesIn('messages')).toEqual(codesWhere((source) => source.template));
  });

  it('has an API wording exactly for the codes marked with one', () => {
    expect(templatesIn('api-messages')).toEqual(codesWhere((source) => source.template && source.apiTemplate === true));
    expect(codesWhere((source) => !source.template && source.apiTemplate === true)).toEqual([]);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { ERROR_CODES, SENTENCE_VALUES, type MessageSource } from '../../src/shared/error-codes.ts';
import { brokerCatalogue } from '../support/catalogue.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const LANGUAGES = ['en', 'de', 'fr'];
const catalogue = brokerCatalogue();

/** The codes of a language's own `errors.<kind>.<code>` keys (no fallback to English). */
const sentencesIn = (language: string, kind: 'message' | 'apiMessage'): string[] =>
  catalogue
    .keys(language)
    .filter((key) => key.startsWith(`errors.${kind}.`))
    .map((key) => key.slice(`errors.${kind}.`.length))
    .sort();
const codesWhere = (has: (source: MessageSource) => boolean): string[] =>
  Object.entries(ERROR_CODES as Record<string, MessageSource>)
    .filter(([, source]) => has(source))
    .map(([code]) => code)
    .sort();

/** The messages of views/locales/<language>/errors.json, as the translator wrote them. */
const errorsFile = (language: string): Record<string, string> =>
  JSON.parse(readFileSync(join(ROOT, 'views', 'locales', language, 'errors.json'), 'utf8')) as Record<string, string>;

function placeholders(elements: MessageFormatElement[], found = new Set<string>()): Set<string> {
  for (const element of elements) {
    if (
      element.type === TYPE.argument ||
      element.type === TYPE.number ||
      element.type === TYPE.date ||
      element.type === TYPE.time
    )
      found.add(element.value);
    if (element.type === TYPE.select || element.type === TYPE.plural) {
      found.add(element.value);
      for (const option of Object.values(element.options)) placeholders(option.value, found);
    }
    if (element.type === TYPE.tag) placeholders(element.children, found);
  }
  return found;
}

// The type check makes every thrown code one of ERROR_CODES; these hold the table and the catalogues together.
describe('error sentences live in the catalogue', () => {
  it.each(LANGUAGES)(
    'has errors.message.<code> in %s for every error code the broker throws, and a code for every sentence',
    (language) => {
      expect(Object.keys(ERROR_CODES).length).toBeGreaterThan(20);
      expect(sentencesIn(language, 'message')).toEqual(codesWhere((source) => source.template));
    },
  );

  it.each(LANGUAGES)('has errors.apiMessage.<code> in %s exactly for the codes marked with one', (language) => {
    expect(sentencesIn(language, 'apiMessage')).toEqual(
      codesWhere((source) => source.template && source.apiTemplate === true),
    );
    expect(codesWhere((source) => !source.template && source.apiTemplate === true)).toEqual([]);
  });

  it('fills every sentence from the details SENTENCE_VALUES names (and the support desk), and names no unused one', () => {
    const known = new Set<string>([...SENTENCE_VALUES, 'supportName', 'supportEmail']);
    const used = new Set<string>();
    for (const language of LANGUAGES) {
      for (const [key, message] of Object.entries(errorsFile(language))) {
        if (!key.startsWith('message.') && !key.startsWith('apiMessage.')) continue;
        for (const name of placeholders(parse(message))) {
          expect({ language, key, name, known: known.has(name) }).toEqual({ language, key, name, known: true });
          used.add(name);
        }
      }
    }
    expect([...known].filter((name) => !used.has(name))).toEqual([]);
  });

  it.each(LANGUAGES)('words every sentence in %s even when the throw site gave no details', (language) => {
    const none = Object.fromEntries(SENTENCE_VALUES.map((name) => [name, undefined]));
    for (const code of codesWhere((source) => source.template)) {
      const text = catalogue.text(language, `errors.message.${code}`, { ...none, supportName: 'S', supportEmail: 'e' });
      expect(text.length).toBeGreaterThan(20);
    }
  });
});

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { loadCatalogue } from '../../src/i18n/catalogue.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const LOCALES = join(ROOT, 'views', 'locales');
const LANGUAGES = readdirSync(LOCALES).sort();

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Every message of a language, by full key (`<area>.<key>`), as written in its files. */
function messagesOf(language: string): Map<string, string> {
  const messages = new Map<string, string>();
  for (const file of readdirSync(join(LOCALES, language))) {
    const content = JSON.parse(readFileSync(join(LOCALES, language, file), 'utf8')) as Record<string, string>;
    for (const [key, message] of Object.entries(content))
      messages.set(`${file.replace(/\.json$/, '')}.${key}`, message);
  }
  return messages;
}

/** The placeholders and tags a message uses: a translation must use the same ones, or a value goes missing. */
function namesIn(elements: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const element of elements) {
    if (element.type === TYPE.argument || element.type === TYPE.number || element.type === TYPE.date)
      into.add(element.value);
    if (element.type === TYPE.time) into.add(element.value);
    if (element.type === TYPE.tag) {
      into.add(`<${element.value}>`);
      namesIn(element.children, into);
    }
    if (element.type === TYPE.plural || element.type === TYPE.select) {
      into.add(element.value);
      for (const option of Object.values(element.options)) namesIn(option.value, into);
    }
  }
  return into;
}

const english = messagesOf('en');
const sources = [
  ...walk(join(ROOT, 'views')).filter((file) => file.endsWith('.hbs') || file.endsWith('.js')),
  ...walk(join(ROOT, 'src')).filter((file) => file.endsWith('.ts')),
].map((file) => ({ file, text: readFileSync(file, 'utf8') }));

describe('message catalogues', () => {
  it('are in English, German and French, and load (every message parses)', () => {
    expect(LANGUAGES).toEqual(expect.arrayContaining(['de', 'en', 'fr']));
    const catalogue = loadCatalogue({ folders: [LOCALES], defaultLanguage: 'en', pseudoLanguage: true });
    expect(catalogue.languages).toEqual(['en', ...LANGUAGES.filter((l) => l !== 'en'), 'en-XA']);
    expect(english.size).toBeGreaterThan(100);
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))(
    '%s has every English key, no other, with the same placeholders',
    (language) => {
      const translated = messagesOf(language);
      expect([...translated.keys()].sort()).toEqual([...english.keys()].sort());
      const mismatched = [...english].filter(([key, message]) => {
        const theirs = translated.get(key);
        return (
          theirs !== undefined &&
          [...namesIn(parse(theirs))].sort().join() !== [...namesIn(parse(message))].sort().join()
        );
      });
      expect(mismatched.map(([key]) => key)).toEqual([]);
    },
  );

  it.each(LANGUAGES.filter((l) => l !== 'en'))(
    '%s is translated: no message is left exactly as in English',
    (language) => {
      const translated = messagesOf(language);
      // Words that read the same in both (a brand, "Partner" in German) are listed where they are the same on purpose.
      const same = [...english].filter(([key, message]) => translated.get(key) === message && /[a-z]{4}/.test(message));
      expect(same.map(([key]) => key).filter((key) => !SAME_ON_PURPOSE[language]?.includes(key))).toEqual([]);
    },
  );

  it('has no key that no template or code uses', () => {
    const everything = sources.map((source) => source.text).join('\n');
    // Keys made from data: {{t (key "profile.role." role)}} in templates, `errors.message.${code}` in code.
    const prefixes = new Set<string>();
    for (const match of everything.matchAll(/\(key "([A-Za-z0-9_.-]+\.)"/g)) prefixes.add(match[1]!);
    for (const match of everything.matchAll(/[`'"]([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*\.)\$\{/g)) prefixes.add(match[1]!);
    const unused = [...english.keys()].filter(
      (key) =>
        !everything.includes(`"${key}"`) &&
        !everything.includes(`'${key}'`) &&
        ![...prefixes].some((p) => key.startsWith(p)),
    );
    expect(unused).toEqual([]);
  });

  it('has every key that a template or the code names', () => {
    const named = new Set<string>();
    for (const { file, text } of sources) {
      if (file.endsWith('.hbs')) for (const match of text.matchAll(/\{\{t "([^"]+)"/g)) named.add(match[1]!);
      for (const match of text.matchAll(/\bt\(ctx, '([^']+)'/g)) named.add(match[1]!);
    }
    expect([...named].filter((key) => !english.has(key))).toEqual([]);
  });
});

/** Messages that are rightly the same as in English. */
const SAME_ON_PURPOSE: Record<string, string[]> = {
  // Format-only messages ({at, date, moment}) and words that are the same in both languages.
  de: [
    'profile.kind.partner',
    'association.landing.organisation',
    'account.moment',
    'account.day',
    'account.field.organisation',
    'organisation.field.status',
  ],
  fr: [
    'account.moment',
    'account.day',
    'account.field.organisation',
    'organisation.person.invitation',
    'association.landing.organisation',
    // "trace": the word OpenTelemetry's backends use in French too.
    'errors.page.trace',
  ],
};

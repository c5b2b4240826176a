import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { IntlMessageFormat, type Formats } from 'intl-messageformat';
import { PSEUDO_LANGUAGE, pseudoMessage } from './pseudo-language.ts';

/**
 * Every sentence a person reads comes from here: ICU MessageFormat catalogues, one folder per language and one JSON
 * file per area (`views/locales/de/account.json` holds the keys `account.…`). A catalogue value is trusted text
 * (operators and translators write it), the values filled into it are not: in HTML they are escaped, and so is the
 * catalogue's own text, so that "Terms & conditions" is written as it reads. Markup comes only from tags:
 * `<strong>`, `<em>`, `<code>`, and any other tag names a link whose address is the value of the same name.
 */
export interface Catalogue {
  /** The languages a person can choose, default first. */
  readonly languages: readonly string[];
  readonly defaultLanguage: string;
  /** The sentence as plain text: for JSON, the command line, email subjects and text parts. */
  text(language: string, key: string, values?: MessageValues): string;
  /** The sentence as HTML: values and the catalogue's text escaped, tags turned into markup. */
  html(language: string, key: string, values?: MessageValues): string;
  has(key: string): boolean;
  /** The keys of a language's own files (for the completeness test). */
  keys(language: string): string[];
  /** The language's name in that language ("Deutsch"), for the language switch. */
  nameOf(language: string): string;
}

export type MessageValues = Record<string, unknown>;

/**
 * Formats the catalogues may use: `{at, date, moment}` prints a moment the same way on every page and email of a
 * language, in UTC and saying so (the broker does not know the reader's time zone).
 */
const FORMATS: Partial<Formats> = {
  date: {
    moment: {
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone: 'UTC',
      timeZoneName: 'short',
    },
    day: { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' },
  },
};

const BUILT_IN_TAGS: Record<string, string> = { strong: 'strong', em: 'em', code: 'code' };

export interface CatalogueOptions {
  /** Folders holding `<language>/<area>.json`, later folders overriding earlier ones key by key. */
  folders: string[];
  defaultLanguage: string;
  /** Offer the pseudo-language (en-XA): every sentence visibly marked, so that untranslated text stands out. */
  pseudoLanguage?: boolean;
}

/**
 * Loads and checks every catalogue at start: an unreadable file or a message that does not parse stops the start.
 * A catalogue holds no state once made, so a process composing several brokers (the test suite) loads each once.
 */
export function loadCatalogue(options: CatalogueOptions): Catalogue {
  const key = JSON.stringify(options);
  let catalogue = loaded.get(key);
  if (!catalogue) loaded.set(key, (catalogue = readCatalogue(options)));
  return catalogue;
}

const loaded = new Map<string, Catalogue>();

function readCatalogue(options: CatalogueOptions): Catalogue {
  const sources = new Map<string, Map<string, string>>();
  for (const folder of options.folders) {
    for (const language of safeList(folder)) {
      const dir = join(folder, language);
      if (!statSync(dir).isDirectory()) continue;
      const messages = sources.get(language) ?? new Map<string, string>();
      for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
        const area = file.slice(0, -'.json'.length);
        const content = JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown;
        if (!content || typeof content !== 'object' || Array.isArray(content))
          throw new Error(`${join(dir, file)}: a catalogue is an object of key → message`);
        for (const [key, message] of Object.entries(content)) {
          if (typeof message !== 'string') throw new Error(`${join(dir, file)}: ${key} is not a string`);
          messages.set(`${area}.${key}`, message);
        }
      }
      if (messages.size) sources.set(language, messages);
    }
  }
  const fallback = sources.get(options.defaultLanguage);
  if (!fallback) throw new Error(`no catalogue for the default language ${options.defaultLanguage}`);

  const parsed = new Map<string, Map<string, MessageFormatElement[]>>();
  for (const [language, messages] of sources) {
    const elements = new Map<string, MessageFormatElement[]>();
    for (const [key, message] of messages) {
      try {
        elements.set(key, parse(message));
      } catch (err) {
        throw new Error(`catalogue ${language}: ${key} does not parse: ${(err as Error).message}`, { cause: err });
      }
    }
    parsed.set(language, elements);
  }
  if (options.pseudoLanguage) {
    const english = parsed.get(options.defaultLanguage)!;
    parsed.set(PSEUDO_LANGUAGE, new Map([...english].map(([key, elements]) => [key, pseudoMessage(elements)])));
  }

  // The default first, the others by tag; the pseudo-language last.
  const others = [...sources.keys()].filter((l) => l !== options.defaultLanguage).sort();
  const languages = [options.defaultLanguage, ...others, ...(options.pseudoLanguage ? [PSEUDO_LANGUAGE] : [])];
  /** A language's own message, else the default language's (an operator's partial catalogue still renders). */
  const messageOf = (language: string, key: string) => {
    const own = parsed.get(language)?.get(key);
    if (own) return { elements: own, language };
    const fallen = parsed.get(options.defaultLanguage)?.get(key);
    if (!fallen) throw new Error(`no message ${key}`);
    return { elements: fallen, language: options.defaultLanguage };
  };

  const compiled = new Map<string, IntlMessageFormat>();
  const format = (requested: string, key: string, values: MessageValues, mode: 'html' | 'text') => {
    const message = messageOf(parsed.has(requested) ? requested : options.defaultLanguage, key);
    const id = `${mode}\0${message.language}\0${key}`;
    let formatter = compiled.get(id);
    if (!formatter) {
      const elements = mode === 'html' ? escapeLiterals(message.elements) : message.elements;
      formatter = new IntlMessageFormat(elements, intlLocale(message.language), FORMATS);
      compiled.set(id, formatter);
    }
    const filled: Record<string, unknown> = {};
    // A value the page does not have arrives as `none`, for `{client, select, none {…} other {…}}`.
    for (const [name, value] of Object.entries(values)) {
      const present = value === undefined || value === null || value === '' ? 'none' : value;
      filled[name] = mode === 'html' ? escapedValue(present) : present;
    }
    for (const tag of tagsOf(message.elements)) filled[tag] = tagFunction(tag, values[tag], mode);
    for (const name of textArgumentsOf(message.elements)) if (!(name in filled)) filled[name] = 'none';
    const result = formatter.format(filled);
    return Array.isArray(result) ? result.join('') : String(result);
  };

  const names = new Map<string, string>();
  return {
    languages,
    defaultLanguage: options.defaultLanguage,
    text: (language, key, values = {}) => format(language, key, values, 'text'),
    html: (language, key, values = {}) => format(language, key, values, 'html'),
    has: (key) => fallback.has(key),
    keys: (language) => [...(sources.get(language)?.keys() ?? [])],
    nameOf(language) {
      if (language === PSEUDO_LANGUAGE) return '[Ƥşeuđo]';
      // Every page's language picker asks for each language's name; building an Intl.DisplayNames costs more than the
      // rest of the picker, so each name is worked out once.
      let name = names.get(language);
      if (name === undefined) {
        const own = new Intl.DisplayNames([intlLocale(language)], { type: 'language' }).of(language) ?? language;
        name = own.charAt(0).toLocaleUpperCase(language) + own.slice(1);
        names.set(language, name);
      }
      return name;
    },
  };
}

function safeList(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** The pseudo-language formats numbers and dates as English does. */
const intlLocale = (language: string) => (language === PSEUDO_LANGUAGE ? 'en' : language);

function tagsOf(elements: MessageFormatElement[]): string[] {
  const tags: string[] = [];
  const walk = (list: MessageFormatElement[]) => {
    for (const element of list) {
      if (element.type === TYPE.tag) {
        tags.push(element.value);
        walk(element.children);
      } else if (element.type === TYPE.plural || element.type === TYPE.select) {
        for (const option of Object.values(element.options)) walk(option.value);
      }
    }
  };
  walk(elements);
  return tags;
}

/** The plain and `select` arguments of a message: a value the caller does not have reads `none` in them. */
function textArgumentsOf(elements: MessageFormatElement[], into: string[] = []): string[] {
  for (const element of elements) {
    if (element.type === TYPE.argument) into.push(element.value);
    else if (element.type === TYPE.tag) textArgumentsOf(element.children, into);
    else if (element.type === TYPE.plural || element.type === TYPE.select) {
      if (element.type === TYPE.select) into.push(element.value);
      for (const option of Object.values(element.options)) textArgumentsOf(option.value, into);
    }
  }
  return into;
}

function tagFunction(tag: string, value: unknown, mode: 'html' | 'text') {
  const builtIn = BUILT_IN_TAGS[tag];
  if (builtIn)
    return (chunks: unknown[]) => (mode === 'html' ? `<${builtIn}>${chunks.join('')}</${builtIn}>` : chunks.join(''));
  if (typeof value !== 'string') throw new Error(`the tag <${tag}> needs a link address of the same name`);
  return (chunks: unknown[]) =>
    mode === 'html' ? `<a href="${escapeHtml(value)}">${chunks.join('')}</a>` : `${chunks.join('')} (${value})`;
}

function escapeLiterals(elements: MessageFormatElement[]): MessageFormatElement[] {
  return elements.map((element) => {
    if (element.type === TYPE.literal) return { ...element, value: escapeHtml(element.value) };
    if (element.type === TYPE.tag) return { ...element, children: escapeLiterals(element.children) };
    if (element.type === TYPE.plural || element.type === TYPE.select) {
      const options = Object.fromEntries(
        Object.entries(element.options).map(([name, option]) => [
          name,
          { ...option, value: escapeLiterals(option.value) },
        ]),
      );
      return { ...element, options } as MessageFormatElement;
    }
    return element;
  });
}

/** Values given as already-made markup (a partial's output) pass as they are; everything else is escaped. */
function escapedValue(value: unknown): unknown {
  if (value && typeof value === 'object' && 'toHTML' in value && typeof value.toHTML === 'function')
    return value.toHTML();
  if (typeof value === 'string') return escapeHtml(value);
  return value;
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};
export const escapeHtml = (text: string) => text.replace(/[&<>"'`=]/g, (c) => ENTITIES[c]!);

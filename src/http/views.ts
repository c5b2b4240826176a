import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import Handlebars from 'handlebars';
import type { Context } from 'koa';
import type { Catalogue, MessageValues } from '../i18n/catalogue.ts';
import { kindWord } from '../i18n/kind-word.ts';
import { withSupportName } from '../i18n/support-name.ts';
import { languageLinks, languageOf } from './page-language.ts';
import type { PortalLook } from './portal-look.ts';

export interface Views {
  /**
   * Renders views/<name>.hbs inside views/layouts/<layout>.hbs (default "main"), in `data.language`: the words come
   * from the catalogue (`{{t "area.key" name=value}}`).
   */
  render(name: string, data: Record<string, unknown>, options?: { layout?: string | false }): string;
  /** A page for this request: in its language (page-language.ts), with the language switch. */
  page(ctx: Context, name: string, data: Record<string, unknown>, options?: { layout?: string | false }): string;
  /** A sentence for this request's page, as plain text (a title, a value for a template). */
  t(ctx: Context, key: string, values?: MessageValues): string;
  /** The language this request's pages are in. */
  language(ctx: Context): string;
  /** The support desk as pages name it in a language. */
  support(language: string): { name: string; email: string };
  readonly catalogue: Catalogue;
  /**
   * Renders views/<name>.hbs as plain text: no layout, nothing HTML-escaped. For words that go into JSON or a terminal,
   * or into a page that escapes them where they land (an apostrophe must not arrive as `&#x27;`).
   */
  text(name: string, data?: Record<string, unknown>): string;
  has(name: string): boolean;
}

/**
 * Compiles every template under the roots once at start (a missing template is a start-up error, not a 500 later).
 * Partials are the files under partials/, named by their path without the extension. Views hold no state once made,
 * so a process that composes several brokers (the test suite does, one per test) compiles each set once.
 */
export function createViews(roots: string[], catalogue: Catalogue, globals: Record<string, unknown> = {}): Views {
  let byRoot = made.get(catalogue);
  if (!byRoot) made.set(catalogue, (byRoot = new Map()));
  const key = `${roots.join('\0')}\0${JSON.stringify(globals)}`;
  let views = byRoot.get(key);
  if (!views) byRoot.set(key, (views = compileViews(roots, catalogue, globals)));
  return views;
}

const made = new WeakMap<Catalogue, Map<string, Views>>();

function compileViews(roots: string[], catalogue: Catalogue, globals: Record<string, unknown>): Views {
  const hbs = Handlebars.create();
  const templates = new Map<string, Handlebars.TemplateDelegate>();
  const texts = new Map<string, Handlebars.TemplateDelegate>();

  // An operator's folder (the last root) replaces the broker's templates file by file.
  const sources = new Map<string, string>();
  for (const root of roots) {
    for (const file of walk(root)) {
      if (!file.endsWith('.hbs')) continue;
      sources.set(relative(root, file).slice(0, -'.hbs'.length).split(sep).join('/'), readFileSync(file, 'utf8'));
    }
  }
  for (const [name, source] of sources) {
    if (name.startsWith('mail/')) continue;
    if (name.startsWith('partials/')) hbs.registerPartial(name.slice('partials/'.length), source);
    else {
      templates.set(name, hbs.compile(source, { strict: false }));
      texts.set(name, hbs.compile(source, { strict: false, noEscape: true }));
    }
  }

  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  // {{t "area.key" name=value}}: a catalogue sentence in the page's language, escaped for HTML. Under text() the
  // templates compile without escaping, and so does the sentence.
  hbs.registerHelper('t', function (key: unknown, options: Handlebars.HelperOptions) {
    const root = options.data.root as { language?: string; __text?: boolean };
    const language = root.language ?? catalogue.defaultLanguage;
    if (root.__text) return catalogue.text(language, String(key), options.hash as MessageValues);
    return new Handlebars.SafeString(catalogue.html(language, String(key), options.hash as MessageValues));
  });
  // A language's name in the page's language: {{languageName "de"}} reads "German" on an English page.
  hbs.registerHelper('languageName', function (tag: unknown, options: Handlebars.HelperOptions) {
    const root = options.data.root as { language?: string };
    const language = root.language && catalogue.languages.includes(root.language) ? root.language : 'en';
    try {
      return new Intl.DisplayNames([language === 'en-XA' ? 'en' : language], { type: 'language' }).of(String(tag));
    } catch {
      return String(tag);
    }
  });
  // A profile kind as a word of the page's language: {{kindName kind}}, also as a value for a sentence.
  hbs.registerHelper('kindName', function (kind: unknown, options: Handlebars.HelperOptions) {
    const root = options.data.root as { language?: string };
    return kindWord(catalogue, root.language ?? catalogue.defaultLanguage, kind);
  });
  // A key made of parts: {{t (key "roles." role)}}.
  hbs.registerHelper('key', (...parts: unknown[]) => parts.slice(0, -1).join(''));
  hbs.registerHelper('json', (value: unknown) => JSON.stringify(value, null, 2));

  const get = (name: string, from = templates) => {
    const template = from.get(name);
    if (!template) throw new Error(`no template views/${name}.hbs`);
    return template;
  };

  const render: Views['render'] = (name, data, options = {}) => {
    const context = withSupportName(catalogue, { language: catalogue.defaultLanguage, ...globals, ...data });
    const body = get(name)(context);
    if (options.layout === false) return body;
    // Every page needs a title (WCAG 2.4.2); a page without one is a bug, caught by any test that renders it.
    if (!context.title) throw new Error(`views/${name}.hbs rendered without a title`);
    return get(`layouts/${options.layout ?? 'main'}`)({ ...context, body });
  };
  const language = (ctx: Context) => languageOf(ctx, catalogue);

  return {
    catalogue,
    has: (name) => templates.has(name),
    text: (name, data = {}) => get(name, texts)({ ...globals, ...data, __text: true }),
    render,
    language,
    t: (ctx, key, values) => catalogue.text(language(ctx), key, values),
    support: (lang) =>
      withSupportName(catalogue, { ...globals, language: lang }).support as { name: string; email: string },
    page(ctx, name, data, options) {
      const current = language(ctx);
      // The portal of the sign-in a page belongs to, when a route has said which (ctx.state.portalLook), shows its look.
      const portal = ctx.state.portalLook as PortalLook | undefined;
      return render(
        name,
        { language: current, languages: languageLinks(ctx, catalogue, current), portal, ...data },
        options,
      );
    },
  };
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

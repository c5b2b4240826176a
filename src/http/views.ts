import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import Handlebars from 'handlebars';

export interface Views {
  /** Renders views/<name>.hbs inside views/layouts/<layout>.hbs (default "main"). */
  render(name: string, data?: Record<string, unknown>, options?: { layout?: string | false }): string;
  /**
   * Renders views/<name>.hbs as plain text: no layout, nothing HTML-escaped. For words that go into JSON or a terminal,
   * or into a page that escapes them where they land (an apostrophe must not arrive as `&#x27;`).
   */
  text(name: string, data?: Record<string, unknown>): string;
  has(name: string): boolean;
}

/**
 * Compiles every template under `root` once at start (a missing template is a start-up error, not a 500 later).
 * Partials are the files under partials/, named by their path without the extension. Views hold no state once made,
 * so a process that composes several brokers (the test suite does, one per test) compiles each set once.
 */
export function createViews(root: string, globals: Record<string, unknown> = {}): Views {
  const key = `${root}\0${JSON.stringify(globals)}`;
  let views = made.get(key);
  if (!views) made.set(key, (views = compileViews(root, globals)));
  return views;
}

const made = new Map<string, Views>();

function compileViews(root: string, globals: Record<string, unknown>): Views {
  const hbs = Handlebars.create();
  const templates = new Map<string, Handlebars.TemplateDelegate>();
  const texts = new Map<string, Handlebars.TemplateDelegate>();

  for (const file of walk(root)) {
    if (!file.endsWith('.hbs')) continue;
    const name = relative(root, file).slice(0, -'.hbs'.length).split(sep).join('/');
    const source = readFileSync(file, 'utf8');
    if (name.startsWith('partials/')) hbs.registerPartial(name.slice('partials/'.length), source);
    else {
      templates.set(name, hbs.compile(source, { strict: false }));
      texts.set(name, hbs.compile(source, { strict: false, noEscape: true }));
    }
  }

  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('json', (value: unknown) => JSON.stringify(value, null, 2));

  const get = (name: string, from = templates) => {
    const template = from.get(name);
    if (!template) throw new Error(`no template views/${name}.hbs`);
    return template;
  };

  return {
    has: (name) => templates.has(name),
    text: (name, data = {}) => get(name, texts)({ ...globals, ...data }),
    render(name, data = {}, options = {}) {
      const context = { ...globals, ...data };
      const body = get(name)(context);
      if (options.layout === false) return body;
      // Every page needs a title (WCAG 2.4.2); a page without one is a bug, caught by any test that renders it.
      if (!context.title) throw new Error(`views/${name}.hbs rendered without a title`);
      return get(`layouts/${options.layout ?? 'main'}`)({ ...context, body });
    },
  };
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

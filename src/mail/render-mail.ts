import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { kindWord } from '../i18n/kind-word.ts';
import type { Catalogue, MessageValues } from '../i18n/catalogue.ts';
import { withSupportName } from '../i18n/support-name.ts';

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

/**
 * Mail content is templates (docs/architecture.md §1): views/mail/<name>.subject.hbs, .html.hbs and .text.hbs. The text
 * and subject are not HTML, so they are rendered without HTML escaping; the HTML part is escaped as usual.
 */
export function createMailRenderer(
  dirs: string[],
  catalogue: Catalogue,
  globals: Record<string, unknown> = {},
): MailRenderer {
  // Stateless once made: a process composing several brokers (the test suite) compiles the templates once.
  let byDirs = made.get(catalogue);
  if (!byDirs) made.set(catalogue, (byDirs = new Map()));
  const key = `${dirs.join('\0')}\0${JSON.stringify(globals)}`;
  let renderer = byDirs.get(key);
  if (!renderer) byDirs.set(key, (renderer = compileMailRenderer(dirs, catalogue, globals)));
  return renderer;
}

const made = new WeakMap<Catalogue, Map<string, MailRenderer>>();

function compileMailRenderer(dirs: string[], catalogue: Catalogue, globals: Record<string, unknown>) {
  const html = Handlebars.create();
  const plain = Handlebars.create();
  // {{t "mail.key" name=value}}: the sentence in the mail's language; escaped in the HTML part only.
  html.registerHelper('t', (key: unknown, options: Handlebars.HelperOptions) => {
    const language = (options.data.root as { language: string }).language;
    return new Handlebars.SafeString(catalogue.html(language, String(key), options.hash as MessageValues));
  });
  plain.registerHelper('t', (key: unknown, options: Handlebars.HelperOptions) =>
    catalogue.text((options.data.root as { language: string }).language, String(key), options.hash as MessageValues),
  );
  for (const hbs of [html, plain]) {
    hbs.registerHelper('key', (...parts: unknown[]) => parts.slice(0, -1).join(''));
    // {{kindName kind}}: a profile kind as a word of the mail's language, as pages say it.
    hbs.registerHelper('kindName', (kind: unknown, options: Handlebars.HelperOptions) =>
      kindWord(catalogue, (options.data.root as { language: string }).language, kind),
    );
  }
  // {{t "mail.questions" email=(mailto support.email)}}: a mailto link in the HTML part, the bare address in the text.
  html.registerHelper('mailto', (address: unknown) => {
    const escaped = Handlebars.escapeExpression(String(address));
    return new Handlebars.SafeString(`<a href="mailto:${escaped}">${escaped}</a>`);
  });
  plain.registerHelper('mailto', (address: unknown) => String(address));

  // An operator's folder (the last) replaces the broker's templates file by file.
  const sources = new Map<string, string>();
  for (const dir of dirs.filter((d) => existsSync(d))) {
    for (const file of readdirSync(dir)) sources.set(file, readFileSync(join(dir, file), 'utf8'));
  }
  const templates = new Map<string, Handlebars.TemplateDelegate>();
  for (const [file, source] of sources) {
    const match = /^(.+)\.(subject|html|text)\.hbs$/.exec(file);
    if (!match) continue;
    const [, name, part] = match;
    templates.set(
      `${name}.${part}`,
      part === 'html'
        ? html.compile(source, { strict: true })
        : plain.compile(source, { noEscape: true, strict: true }),
    );
  }

  const get = (key: string) => {
    const template = templates.get(key);
    if (!template) throw new Error(`no mail template views/mail/${key}.hbs`);
    return template;
  };

  return {
    /** The languages mail can be written in, default first (the catalogue's). */
    languages: catalogue.languages,
    /** Renders a message in `language` (a catalogue's language; any other falls back to the default). */
    render(name: string, data: Record<string, unknown>, language = catalogue.defaultLanguage): RenderedMail {
      const context = withSupportName(catalogue, { ...globals, ...data, language });
      return {
        // Headers are one line: whatever the data holds, a subject never carries a line break.
        subject: get(`${name}.subject`)(context)
          .replace(/[\r\n]+/g, ' ')
          .trim(),
        html: get(`${name}.html`)(context),
        text: get(`${name}.text`)(context),
      };
    },
  };
}

export type MailRenderer = ReturnType<typeof compileMailRenderer>;

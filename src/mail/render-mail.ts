import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

/**
 * Mail content is templates (docs/architecture.md §1): views/mail/<name>.subject.hbs, .html.hbs and .text.hbs. The text
 * and subject are not HTML, so they are rendered without HTML escaping; the HTML part is escaped as usual.
 */
export function createMailRenderer(dir: string, globals: Record<string, unknown> = {}): MailRenderer {
  // Stateless once made: a process composing several brokers (the test suite) compiles the templates once.
  const key = `${dir}\0${JSON.stringify(globals)}`;
  let renderer = made.get(key);
  if (!renderer) made.set(key, (renderer = compileMailRenderer(dir, globals)));
  return renderer;
}

const made = new Map<string, MailRenderer>();

function compileMailRenderer(dir: string, globals: Record<string, unknown>) {
  const html = Handlebars.create();
  const plain = Handlebars.create();
  const templates = new Map<string, Handlebars.TemplateDelegate>();
  for (const file of readdirSync(dir)) {
    const match = /^(.+)\.(subject|html|text)\.hbs$/.exec(file);
    if (!match) continue;
    const [, name, part] = match;
    const source = readFileSync(join(dir, file), 'utf8');
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
    render(name: string, data: Record<string, unknown>): RenderedMail {
      const context = { ...globals, ...data };
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

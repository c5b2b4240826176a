import * as cheerio from 'cheerio';
import { CookieJar } from 'tough-cookie';

export interface Page {
  url: string;
  status: number;
  headers: Headers;
  html: string;
  $: cheerio.CheerioAPI;
  /** Visible text, whitespace folded: what a person reads. */
  text: string;
}

export interface FollowOptions {
  /** Stop (without fetching) at the first redirect whose target starts with one of these: a portal's redirect URI. */
  stopAt?: string[];
  maxHops?: number;
}

/**
 * A scripted browser: cookie jar, manual redirects, HTML forms. It also submits oidc-provider's auto-posting
 * pages ("Submitting Callback"), as a browser's JavaScript would. It never runs other scripts.
 */
export class Browser {
  readonly jar = new CookieJar();
  readonly requests: string[] = [];
  /** Every Set-Cookie header received, raw, to check cookie attributes. */
  readonly setCookies: string[] = [];
  /** Sent with every request, e.g. a spoofed X-Forwarded-For. */
  extraHeaders: Record<string, string> = {};

  async request(
    url: string,
    init: { method?: string; body?: URLSearchParams; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const cookie = await this.jar.getCookieString(url);
    const headers: Record<string, string> = { accept: 'text/html', ...this.extraHeaders, ...init.headers };
    if (cookie) headers.cookie = cookie;
    if (init.body) headers['content-type'] = 'application/x-www-form-urlencoded';
    this.requests.push(`${init.method ?? 'GET'} ${url}`);
    const response = await fetch(url, { method: init.method ?? 'GET', body: init.body, headers, redirect: 'manual' });
    for (const header of response.headers.getSetCookie()) {
      this.setCookies.push(header);
      await this.jar.setCookie(header, url, { ignoreError: true });
    }
    return response;
  }

  /** GET (or POST) and follow redirects; returns the final page, or a `stopped` URL when it reached `stopAt`. */
  async go(
    url: string,
    options: FollowOptions & { method?: string; body?: URLSearchParams; headers?: Record<string, string> } = {},
  ): Promise<Page & { stopped?: string }> {
    let current = url;
    let method = options.method ?? 'GET';
    let body = options.body;
    for (let hop = 0; hop < (options.maxHops ?? 20); hop++) {
      const response = await this.request(current, { method, body, headers: options.headers });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        const next = new URL(location, current).href;
        await response.arrayBuffer();
        if (options.stopAt?.some((prefix) => next.startsWith(prefix))) {
          return { ...(await toPage(current, response, '')), stopped: next };
        }
        current = next;
        method = 'GET';
        body = undefined;
        continue;
      }
      const page = await toPage(current, response, await response.text());
      if (page.$('title').text() === 'Submitting Callback') {
        const form = formData(page, 'form');
        current = form.action;
        method = 'POST';
        body = form.body;
        continue;
      }
      return page;
    }
    throw new Error(`too many redirects from ${url}`);
  }

  /** Submits the form matched by `selector`, as if the button `submitter` (a selector inside it) was pressed. */
  async submit(
    page: Page,
    selector: string,
    fields: Record<string, string | undefined> = {},
    options: FollowOptions & { submitter?: string } = {},
  ) {
    const form = formData(page, selector, options.submitter);
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) form.body.delete(k);
      else form.body.set(k, v);
    }
    return this.go(form.action, {
      ...options,
      method: form.method,
      body: form.method === 'POST' ? form.body : undefined,
    });
  }

  async cookie(url: string, name: string) {
    return (await this.jar.getCookies(url)).find((c) => c.key === name);
  }
}

async function toPage(url: string, response: Response, html: string): Promise<Page> {
  const $ = cheerio.load(html);
  return {
    url,
    status: response.status,
    headers: response.headers,
    html,
    $,
    text: $('body').text().replace(/\s+/g, ' ').trim(),
  };
}

export function formData(page: Page, selector: string, submitter?: string) {
  const form = page.$(selector).first();
  if (!form.length)
    throw new Error(`no form ${selector} on ${page.url} (status ${page.status}): ${page.text.slice(0, 300)}`);
  const body = new URLSearchParams();
  form.find('input').each((_, el) => {
    const input = page.$(el);
    const type = (input.attr('type') ?? 'text').toLowerCase();
    const name = input.attr('name');
    if (!name || type === 'submit') return;
    if ((type === 'checkbox' || type === 'radio') && input.attr('checked') === undefined) return;
    body.append(name, input.attr('value') ?? (type === 'checkbox' ? 'on' : ''));
  });
  const id = form.attr('id');
  const button = submitter ? form.find(submitter).first() : undefined;
  const external = id && !button?.length && submitter ? page.$(`button[form="${id}"]${submitter}`).first() : undefined;
  const pressed = button?.length ? button : external;
  if (submitter && !pressed?.length) throw new Error(`no button ${submitter} in ${selector} on ${page.url}`);
  if (pressed?.attr('name')) body.append(pressed.attr('name')!, pressed.attr('value') ?? '');
  return {
    action: new URL(form.attr('action') ?? page.url, page.url).href,
    method: (form.attr('method') ?? 'GET').toUpperCase(),
    body,
  };
}

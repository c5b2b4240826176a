import type { Context, Middleware } from 'koa';
import { chooseLanguage, matchLanguage } from '../i18n/choose-language.ts';
import type { Catalogue } from '../i18n/catalogue.ts';

/** Remembers a person's choice from the language switch, for a year, on this browser. */
export const LANGUAGE_COOKIE = 'broker.lang';
const YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * The language switch is a link to the same page with `?lang=de`: the choice is kept in a cookie and wins over what
 * the portal (`ui_locales`) and the browser (`Accept-Language`) ask for. Routes that read an interaction add its
 * `ui_locales` (ctx.state.uiLocales) before they render. Only the switch's cookie is written here; which language a
 * page is in is worked out when something is rendered (languageOf), so requests that render nothing (the token
 * endpoint, the APIs) do not pay for it.
 */
export function pageLanguage(catalogue: Catalogue): Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.querystring) {
      const asked = askedLanguage(ctx, catalogue);
      if (asked) {
        ctx.cookies.set(LANGUAGE_COOKIE, asked, { httpOnly: true, sameSite: 'lax', maxAge: YEAR_MS, overwrite: true });
      }
    }
    await next();
  };
}

const askedLanguage = (ctx: Context, catalogue: Catalogue) =>
  typeof ctx.query.lang === 'string' ? matchLanguage(catalogue.languages, ctx.query.lang) : undefined;

/** The language switch's choice for this request: `?lang=`, else its cookie; read once per request. */
function chosenLanguage(ctx: Context, catalogue: Catalogue): string | undefined {
  if (!('chosenLanguage' in ctx.state)) {
    const kept = askedLanguage(ctx, catalogue) ?? ctx.cookies.get(LANGUAGE_COOKIE);
    ctx.state.chosenLanguage = kept ? matchLanguage(catalogue.languages, kept) : undefined;
  }
  return ctx.state.chosenLanguage as string | undefined;
}

export function languageOf(ctx: Context, catalogue: Catalogue): string {
  const chosen = chosenLanguage(ctx, catalogue);
  return chooseLanguage(catalogue.languages, [
    chosen ? [chosen] : undefined,
    ctx.state.uiLocales as string[] | undefined,
    ctx.acceptsLanguages(),
  ]);
}

/** The links of the language switch: this page again, in each language. */
export function languageLinks(ctx: Context, catalogue: Catalogue, current: string) {
  const query = new URLSearchParams(ctx.querystring);
  return catalogue.languages.map((code) => {
    query.set('lang', code);
    return { code, name: catalogue.nameOf(code), href: `${ctx.path}?${query}`, current: code === current };
  });
}

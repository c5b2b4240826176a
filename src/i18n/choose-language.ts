/**
 * The language of a page: a person's own choice first (the language switch), then what the portal asked for
 * (`ui_locales`), then what the browser asks for (`Accept-Language`), then the default. Each source is a list in
 * order of preference; a tag matches a catalogue exactly or by its language alone (de-CH reads German). Tags that are
 * not well-formed BCP 47 are ignored, so nothing a request carries is ever echoed into a page.
 */
export function chooseLanguage(supported: readonly string[], sources: Array<readonly string[] | undefined>): string {
  for (const source of sources) {
    for (const requested of (source ?? []).slice(0, MAX_TAGS)) {
      const found = matchLanguage(supported, requested);
      if (found) return found;
    }
  }
  return supported[0]!;
}

const MAX_TAGS = 20;

export function matchLanguage(supported: readonly string[], requested: string): string | undefined {
  if (requested.length > 35 || !/^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(requested)) return undefined;
  let locale: Intl.Locale;
  try {
    locale = new Intl.Locale(requested);
  } catch {
    return undefined;
  }
  const exact = supported.find((tag) => tag.toLowerCase() === locale.baseName.toLowerCase());
  if (exact) return exact;
  return supported.find((tag) => tag.toLowerCase() === locale.language.toLowerCase());
}

/** `ui_locales` is a space-separated list (OpenID Connect Core §3.1.2.1). */
export const uiLocalesOf = (value: unknown): string[] =>
  typeof value === 'string' ? value.split(' ').filter(Boolean) : [];

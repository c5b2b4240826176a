import { matchLanguage } from '../i18n/choose-language.ts';

/**
 * The language the environment of a command asks for, as a BCP 47 tag: the POSIX locale variables in their order of
 * precedence (LC_ALL, then LC_MESSAGES, then LANG; the first one set decides), `de_DE.UTF-8` or `fr_FR@euro` read as
 * `de-DE` and `fr-FR`. The C and POSIX locales ask for no language. Sent as it is over the admin socket, so that the
 * running demo answers in the language of the terminal that asked, not its own.
 */
export function terminalLanguageTag(env: NodeJS.ProcessEnv): string | undefined {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const value = env[name];
    if (!value) continue;
    const tag = value.split(/[.@]/)[0]!.replace(/_/g, '-');
    return tag === 'C' || tag === 'POSIX' || tag === '' ? undefined : tag;
  }
  return undefined;
}

/** The catalogue language for a tag a command sent (anything malformed or unknown: the default). */
export function commandLanguage(catalogue: { languages: readonly string[]; defaultLanguage: string }, tag: unknown) {
  return (typeof tag === 'string' && matchLanguage(catalogue.languages, tag)) || catalogue.defaultLanguage;
}

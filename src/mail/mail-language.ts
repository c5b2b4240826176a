import { chooseLanguage } from '../i18n/choose-language.ts';

/**
 * The language of an email: the recipient's own (the profile's `locale`) when mail can be written in it, else the
 * language of the page that caused the email (`requestLanguage`), else the default (the first of `languages`).
 */
export function mailLanguage(
  languages: readonly string[],
  recipientLocale: string | undefined,
  requestLanguage: string | undefined,
): string {
  return chooseLanguage(languages, [
    recipientLocale ? [recipientLocale] : undefined,
    requestLanguage ? [requestLanguage] : undefined,
  ]);
}

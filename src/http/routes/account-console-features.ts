import type { ConsolePages } from './account-console.ts';
import { emailPages } from './account-email-pages.ts';
import { languagePages } from './account-language-pages.ts';
import { organisationPages } from './account-organisation-pages.ts';
import { reinvitePages } from './account-reinvite-pages.ts';
import { sessionPages } from './account-session-pages.ts';

/** The console's page groups beyond "My account" itself, each a feature's own file. */
export const CONSOLE_FEATURES: readonly ConsolePages[] = [
  emailPages,
  reinvitePages,
  sessionPages,
  organisationPages,
  languagePages,
];

import type { ConsolePages } from './account-console.ts';
import { organisationPages } from './account-organisation-pages.ts';

/** The console's page groups beyond "My account" itself, each a feature's own file. */
export const CONSOLE_FEATURES: readonly ConsolePages[] = [organisationPages];

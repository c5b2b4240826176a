import { join } from 'node:path';
import { loadCatalogue } from '../../src/i18n/catalogue.ts';
import { VIEWS_DIR } from '../../src/services.ts';

/** The broker's own catalogues, as a broker with no operator folder loads them. */
export const brokerCatalogue = () => loadCatalogue({ folders: [join(VIEWS_DIR, 'locales')], defaultLanguage: 'en' });

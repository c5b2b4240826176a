import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { askAdminSocket, serveAdminSocket, type SocketRequest } from '../../src/cli/control-socket.ts';
import { commandLanguage, terminalLanguageTag } from '../../src/cli/terminal-language.ts';
import { messageFor } from '../../src/http/error-handler.ts';
import { createViews } from '../../src/http/views.ts';
import { VIEWS_DIR } from '../../src/services.ts';
import { AppError } from '../../src/shared/errors.ts';
import { brokerCatalogue } from '../support/catalogue.ts';

const catalogue = brokerCatalogue();

describe('the language of a command', () => {
  it('reads the POSIX locale variables in their order of precedence, as BCP 47 tags', () => {
    expect(terminalLanguageTag({ LANG: 'de_DE.UTF-8' })).toBe('de-DE');
    expect(terminalLanguageTag({ LANG: 'fr_FR@euro' })).toBe('fr-FR');
    expect(terminalLanguageTag({ LANG: 'fr_CA.ISO-8859-1@euro' })).toBe('fr-CA');
    expect(terminalLanguageTag({ LANG: 'de_DE.UTF-8', LC_MESSAGES: 'fr_FR.UTF-8' })).toBe('fr-FR');
    expect(terminalLanguageTag({ LANG: 'de_DE.UTF-8', LC_MESSAGES: 'fr_FR', LC_ALL: 'en_GB.UTF-8' })).toBe('en-GB');
    expect(terminalLanguageTag({ LANG: 'de_DE.UTF-8', LC_ALL: '' })).toBe('de-DE');
    expect(terminalLanguageTag({ LANG: 'de_DE.UTF-8', LC_ALL: 'C.UTF-8' })).toBeUndefined();
    expect(terminalLanguageTag({ LANG: 'POSIX' })).toBeUndefined();
    expect(terminalLanguageTag({})).toBeUndefined();
  });

  it('is a language of the catalogue, else the default', () => {
    expect(commandLanguage(catalogue, 'de-DE')).toBe('de');
    expect(commandLanguage(catalogue, 'fr-CA')).toBe('fr');
    expect(commandLanguage(catalogue, 'es-ES')).toBe('en');
    expect(commandLanguage(catalogue, 'de_DE.UTF-8')).toBe('en');
    expect(commandLanguage(catalogue, undefined)).toBe('en');
    expect(commandLanguage(catalogue, { de: true })).toBe('en');
  });

  it('travels with a command over the admin socket, so the running broker words a refusal in the terminal’s language', async () => {
    const views = createViews([VIEWS_DIR], catalogue, { support: { email: 'help@broker.example' } });
    const refusal = new AppError(404, 'profile_not_found', 'no profile prf-nope', { details: { id: 'prf-nope' } });
    const path = join(mkdtempSync(join(tmpdir(), 'admin-socket-')), 'broker.sock');
    const server = await serveAdminSocket(path, async (request: SocketRequest) => ({
      exitCode: 1,
      stdout: '',
      stderr: messageFor(views, refusal, true, commandLanguage(catalogue, request.language)),
    }));
    try {
      const ask = (language?: string) =>
        askAdminSocket(path, {
          argv: ['profiles', 'show', 'prf-nope'],
          operator: 'op',
          ...(language ? { language } : {}),
        });
      expect((await ask('de-DE'))?.stderr).toMatch(/^Es gibt kein Profil prf-nope\./);
      expect((await ask('fr-FR'))?.stderr).toMatch(/^Il n’existe aucun profil prf-nope\./);
      expect((await ask())?.stderr).toMatch(/^There is no profile prf-nope\./);
      expect((await ask('<b>x</b>'))?.stderr).toMatch(/^There is no profile prf-nope\./);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

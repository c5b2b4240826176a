import UAParser from 'ua-parser-js';

/**
 * The browser a session was started in, as a person recognises it ("Firefox 128 on Windows 10"), from the
 * User-Agent kept with the session; the raw text when the parser knows neither browser nor system.
 */
export function browserName(userAgent: string): string {
  const { browser, os } = new UAParser(userAgent).getResult();
  const name = [browser.name, browser.version?.split('.')[0]].filter(Boolean).join(' ');
  const system = [os.name, os.version].filter(Boolean).join(' ');
  if (!name && !system) return userAgent;
  return system ? `${name || 'A browser'} on ${system}` : name;
}

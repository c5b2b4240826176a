import { Browser } from '../support/browser.ts';
import type { Portal } from '../support/portal.ts';

/**
 * One complete sign-in of Alice (an associated person with a single profile) as a portal sees it: authorization
 * request, the broker's sign-in page, the development upstream's login, the callback, and the code redeemed at
 * /token. The benchmarks' unit of a brokered sign-in. `scope` adds to the request (offline_access for a refresh
 * token).
 */
export async function completeSignIn(portal: Portal, parameters: Record<string, string> = {}) {
  const browser = new Browser();
  const { url, checks } = await portal.authorizationUrl(parameters);
  const signInPage = await browser.go(url);
  const upstreamLogin = await browser.submit(
    signInPage,
    'form[action$="/upstream"]',
    {},
    { submitter: 'button[value="demo"]' },
  );
  const back = await browser.submit(
    upstreamLogin,
    'form[action$="/login"]',
    { username: 'alice', password: 'demo' },
    { stopAt: [portal.redirectUri] },
  );
  if (!back.stopped) throw new Error(`no redirect to the portal (${back.status} at ${back.url})`);
  const tokens = await portal.redeem(back.stopped, checks);
  if (tokens.claims()?.sub !== 'prf-alice-contoso') throw new Error('wrong subject');
  return tokens;
}

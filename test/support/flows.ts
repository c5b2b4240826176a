import { expect } from '@jest/globals';
import type { Browser, Page } from './browser.ts';
import type { AuthorizationChecks, Portal } from './portal.ts';

export const DEMO_PASSWORD = 'demo';

/** From the broker's sign-in page: choose the demo upstream (optionally "Sign me in automatically") and sign in there. */
export async function signInUpstream(
  browser: Browser,
  signInPage: Page,
  username: string,
  options: { remember?: boolean; stopAt?: string[] } = {},
) {
  // A page other than the sign-in page (an error, a 503 while a store is slow) says what it was.
  if (signInPage.$('form[action$="/upstream"]').length !== 1)
    throw new Error(
      `expected the sign-in page, got ${signInPage.status} at ${signInPage.url}: ${signInPage.text.replace(/\s+/g, ' ').slice(0, 400)}`,
    );
  const upstreamLogin = await browser.submit(
    signInPage,
    'form[action$="/upstream"]',
    { remember: options.remember ? 'on' : undefined },
    { submitter: 'button[value="demo"]' },
  );
  return submitUpstreamLogin(browser, upstreamLogin, username, options.stopAt);
}

/** Fills the development upstream's sign-in form. */
export async function submitUpstreamLogin(browser: Browser, upstreamLogin: Page, username: string, stopAt?: string[]) {
  expect(upstreamLogin.url).toContain('/dev-upstream/interaction/');
  return browser.submit(upstreamLogin, 'form[action$="/login"]', { username, password: DEMO_PASSWORD }, { stopAt });
}

/** Picks a profile on the broker's picker by its id. */
export function pickProfile(browser: Browser, picker: Page, profileId: string, stopAt: string[]) {
  expect(picker.$(`input[name="profile"][value="${profileId}"]`).length).toBe(1);
  return browser.submit(picker, 'form[action$="/select"]', { profile: profileId }, { stopAt });
}

/**
 * The whole sign-in of a person whose account is associated: portal → broker → upstream → (picker) → portal,
 * then the code redeemed by the portal. Returns the tokens and what the browser saw.
 */
export async function signIn(
  browser: Browser,
  portal: Portal,
  username: string,
  options: {
    pick?: string;
    remember?: boolean;
    pushed?: boolean;
    parameters?: Record<string, string>;
    tokenParameters?: Record<string, string>;
  } = {},
) {
  const { url, checks } = await portal.authorizationUrl(options.parameters, { pushed: options.pushed });
  const stopAt = [portal.redirectUri];
  const signInPage = await browser.go(url, { stopAt });
  let landed = await signInUpstream(browser, signInPage, username, { remember: options.remember, stopAt });
  if (options.pick) landed = await pickProfile(browser, landed, options.pick, stopAt);
  if (!landed.stopped)
    throw new Error(
      `sign-in did not return to the portal; at ${landed.url} (${landed.status}): ${landed.text.slice(0, 400)}`,
    );
  const tokens = await portal.redeem(landed.stopped, checks, options.tokenParameters);
  return { tokens, claims: tokens.claims()!, callback: landed.stopped };
}

/** Starts an authorization request and follows it until the portal's redirect URI or a page. */
export async function authorize(
  browser: Browser,
  portal: Portal,
  parameters: Record<string, string> = {},
): Promise<{ page: Page & { stopped?: string }; checks: AuthorizationChecks }> {
  const { url, checks } = await portal.authorizationUrl(parameters);
  return { page: await browser.go(url, { stopAt: [portal.redirectUri] }), checks };
}

/** First login up to "check your email": portal → broker → upstream → registered-address form → Continue. */
export async function requestAssociation(browser: Browser, portal: Portal, username: string, email: string) {
  const { url, checks } = await portal.authorizationUrl();
  const emailPage = await signInUpstream(browser, await browser.go(url), username);
  expect(emailPage.$('h1').text()).toBe('Enter your registered email address');
  const sent = await browser.submit(emailPage, 'form[action$="/associate"]', { email });
  return { sent, emailPage, checks };
}

/** Opens an association link and re-authenticates upstream as `username`; returns the page the broker shows. */
export async function completeAssociation(browser: Browser, link: string, username: string) {
  const landing = await browser.go(link);
  expect(landing.status).toBe(200);
  const upstreamLogin = await browser.submit(landing, 'form[action="/associate/continue"]');
  return submitUpstreamLogin(browser, upstreamLogin, username);
}

/**
 * The broker's sign-out from the confirmation page on: "Yes, sign me out", then the development upstream's own
 * sign-out page (the broker ends the upstream session too), then back to the portal's post-logout URI.
 */
export async function confirmSignOut(browser: Browser, confirm: Page, stopAt: string[]) {
  const atUpstream = await browser.submit(
    confirm,
    'form#op\\.logoutForm',
    {},
    { submitter: 'button[value="yes"]', stopAt },
  );
  if (atUpstream.stopped || !atUpstream.url.includes('/dev-upstream/session/end')) return atUpstream;
  return browser.submit(atUpstream, 'form#op\\.logoutForm', {}, { submitter: 'button[value="yes"]', stopAt });
}

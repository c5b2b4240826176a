import { expect } from '@jest/globals';
import { Browser, type Page } from './browser.ts';
import { TEST_PORTAL } from './broker.ts';
import { pickProfile, signIn, signInUpstream } from './flows.ts';
import type { Portal } from './portal.ts';

/** A portal registered for the account API: `account` is among the scopes it may ask for (no portal may by default). */
export const EMBEDDING_PORTAL = { ...TEST_PORTAL, scope: 'openid offline_access email profile org_profile account' };

/** A person's access token, as a portal gets it through a real sign-in: `username` as `pick`, with `scope`. */
export async function accountToken(portal: Portal, username: string, scope = 'openid account', pick?: string) {
  const { tokens } = await signIn(new Browser(), portal, username, { pick, parameters: { scope } });
  return tokens.access_token;
}

/** Calls the account API as a portal's page or server would: JSON, the person's bearer token. */
export async function callAccountApi(issuer: string, method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${issuer}/account/api/v1${path}`, {
    method,
    headers: {
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON from the API under test, checked field by field
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

/**
 * `username` signed in to the account console (picking `pick` when the account has several profiles), with the
 * session's form token as its pages carry it.
 */
export async function consoleAs(
  issuer: string,
  username: string,
  pick?: string,
): Promise<{ browser: Browser; page: Page; csrf: string }> {
  const browser = new Browser();
  let page = await signInUpstream(browser, await browser.go(`${issuer}/account`), username);
  if (pick) page = await pickProfile(browser, page, pick, []);
  expect(page.$('h1').text()).toBe('My account');
  return { browser, page, csrf: page.$('form[action="/account/sign-out"] input[name="csrf"]').attr('value')! };
}

import type { Context } from 'koa';
import type { CookieSigner } from '../shared/cookie-signer.ts';

/**
 * "The profile chosen last time in this browser", for the picker's preselection. The cookie holds a keyed digest of
 * the profile's id, not the id: whoever reads the browser's cookies learns no profile. Cleared at sign-out.
 */
const LAST_PROFILE_COOKIE = 'broker.last_profile';
const COOKIE_PATH = '/interaction';
const YEAR_MS = 365 * 24 * 3600 * 1000;

const digestOf = (ctx: Context, profileId: string) =>
  // Keyed by the app's first cookie key (http/create-app.ts gives the app its cookie signer).
  (ctx.app.keys as unknown as CookieSigner).digest(`last-profile:${profileId}`).slice(0, 22);

export function rememberLastProfile(ctx: Context, profileId: string): void {
  ctx.cookies.set(LAST_PROFILE_COOKIE, digestOf(ctx, profileId), {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    path: COOKIE_PATH,
    maxAge: YEAR_MS,
  });
}

/** Which of `profileIds` was chosen last in this browser, if one was. */
export function lastProfileAmong(ctx: Context, profileIds: readonly string[]): string | undefined {
  const kept = ctx.cookies.get(LAST_PROFILE_COOKIE, { signed: true });
  return kept ? profileIds.find((id) => digestOf(ctx, id) === kept) : undefined;
}

/** Always sent: the cookie lives under /interaction, so a sign-out elsewhere cannot see whether it is there. */
export function forgetLastProfile(ctx: Context): void {
  ctx.cookies.set(LAST_PROFILE_COOKIE, null, { path: COOKIE_PATH });
}

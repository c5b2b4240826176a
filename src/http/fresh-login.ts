import type { Context } from 'koa';
import { forgetLastProfile } from './last-profile.ts';

/**
 * Set when a person signs out of the broker: the next sign-in from this browser asks the upstream for a fresh login
 * (prompt=login), so the next person at a shared computer is asked for a password even where the upstream session
 * could not be ended. Cleared by the next upstream sign-in. It says nothing about who signed out.
 */
const SIGNED_OUT_COOKIE = 'broker.signed_out';
const COOKIE_PATH = '/';
const YEAR_MS = 365 * 24 * 3600 * 1000;

export function rememberSignOut(ctx: Context): void {
  // Nor does the browser keep which profile was chosen last.
  forgetLastProfile(ctx);
  ctx.cookies.set(SIGNED_OUT_COOKIE, '1', {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    path: COOKIE_PATH,
    maxAge: YEAR_MS,
  });
}

export function signedOutHere(ctx: Context): boolean {
  return ctx.cookies.get(SIGNED_OUT_COOKIE, { signed: true }) === '1';
}

export function forgetSignOut(ctx: Context): void {
  if (ctx.cookies.get(SIGNED_OUT_COOKIE)) ctx.cookies.set(SIGNED_OUT_COOKIE, null, { path: COOKIE_PATH });
}

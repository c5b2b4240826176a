import type { Context } from 'koa';
import { sha256 } from '../shared/ids.ts';

/** How long a person may take at the upstream before its answer is refused. */
export const UPSTREAM_ROUND_TRIP_SECONDS = 600;

const PATH = '/upstream/callback';
const nameFor = (state: string) => `broker.up.${sha256(state).slice(0, 16)}`;

/**
 * The cookie that ties an upstream callback to the browser that started the round-trip: named after the state
 * (so several tabs can sign in at once), signed, scoped to the callback path. Its value says what the callback
 * belongs to: an interaction id, or a marker for an association link's re-authentication.
 */
export function rememberUpstreamRoundTrip(ctx: Context, state: string, value: string): void {
  ctx.cookies.set(nameFor(state), value, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    path: PATH,
    maxAge: UPSTREAM_ROUND_TRIP_SECONDS * 1000,
  });
}

/** The value remembered for `state` in this browser, if any. */
export function readUpstreamRoundTrip(ctx: Context, state: string): string | undefined {
  return ctx.cookies.get(nameFor(state), { signed: true });
}

/**
 * Clears the cookie, once the server side of the round-trip has been used up. Not before: if a store is down at
 * the callback, the person reloads it once the store is back and carries on, which needs the cookie. Single use
 * does not rest on the cookie (a saved copy could be replayed) but on the consumed server-side transaction.
 */
export function forgetUpstreamRoundTrip(ctx: Context, state: string): void {
  ctx.cookies.set(nameFor(state), null, { path: PATH });
}

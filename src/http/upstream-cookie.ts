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
  ctx.cookies.set(nameFor(state), value, { signed: true, httpOnly: true, sameSite: 'lax', path: PATH, maxAge: UPSTREAM_ROUND_TRIP_SECONDS * 1000 });
}

/** The value remembered for `state` in this browser, if any; the cookie is cleared either way (single use). */
export function takeUpstreamRoundTrip(ctx: Context, state: string): string | undefined {
  const value = ctx.cookies.get(nameFor(state), { signed: true });
  if (value) ctx.cookies.set(nameFor(state), null, { path: PATH });
  return value;
}

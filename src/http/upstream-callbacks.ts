import type { Context } from 'koa';
import { completeUpstreamSignIn } from '../federation/complete-sign-in.ts';
import { UPSTREAM_ROUND_TRIP_SECONDS, type UpstreamTransaction } from '../federation/upstream-transaction.ts';
import type { Upstream } from '../federation/upstreams.ts';
import type { UpstreamIdentity } from '../directory/model.ts';
import { BadRequestError, UpstreamError } from '../shared/errors.ts';
import { sha256 } from '../shared/ids.ts';
import { callbackUri } from './interaction-context.ts';
import type { PageDeps } from './use-cases.ts';

/** Handles the upstream's answer for one kind of round-trip; `ref` is what the kind remembered with it. */
export type CallbackHandler = (
  ctx: Context,
  callback: { state: string; upstreamId: string; ref: string },
) => Promise<void>;

const PATH = '/upstream/callback';
const nameFor = (state: string) => `broker.up.${sha256(state).slice(0, 16)}`;
/** The kind a finished round-trip's cookie holds: its `ref` is the page that shows how it ended. */
const FINISHED = 'done';
/** How long a reload of a finished callback still finds its result: longer than anyone stays on such a page. */
const FINISHED_SECONDS = 3600;

/**
 * One callback URL serves every upstream round-trip the broker starts (an interaction's sign-in, an association
 * link's re-authentication, …). Each kind is registered by the module that owns it, which remembers its kind in this
 * browser when it sends the person upstream; the callback route hands the answer to that kind's handler.
 */
export function createUpstreamCallbacks() {
  const kinds = new Map<string, CallbackHandler>();
  return {
    register(kind: string, handler: CallbackHandler): void {
      if (kind === FINISHED || kinds.has(kind) || kind.includes(':'))
        throw new Error(`upstream callback kind ${kind} taken or malformed`);
      kinds.set(kind, handler);
    },

    /**
     * The cookie that ties an upstream callback to the browser that started the round-trip: named after the state
     * (so several tabs can sign in at once), signed, scoped to the callback path; its value names the kind and `ref`.
     */
    remember(ctx: Context, state: string, kind: string, ref = ''): void {
      ctx.cookies.set(nameFor(state), `${kind}:${ref}`, {
        signed: true,
        httpOnly: true,
        sameSite: 'lax',
        path: PATH,
        maxAge: UPSTREAM_ROUND_TRIP_SECONDS * 1000,
      });
    },

    /**
     * Hands the callback to the kind this browser remembered for `state`; none is a foreign or replayed answer. A
     * round-trip this browser finished (a reload, the back button) goes to the page that shows how it ended.
     */
    async dispatch(ctx: Context, state: string, upstreamId: string): Promise<void> {
      const value = ctx.cookies.get(nameFor(state), { signed: true }) ?? '';
      const at = value.indexOf(':');
      const kind = at > 0 ? value.slice(0, at) : '';
      const ref = value.slice(at + 1);
      if (kind === FINISHED && isLocalPath(ref)) {
        ctx.set('Cache-Control', 'no-store');
        ctx.status = 303;
        ctx.redirect(ref);
        return;
      }
      const handler = kinds.get(kind);
      if (!handler) throw foreignResponse();
      await handler(ctx, { state, upstreamId, ref });
    },
  };
}

export type UpstreamCallbacks = ReturnType<typeof createUpstreamCallbacks>;

export const foreignResponse = () =>
  new BadRequestError('state_mismatch', 'callback state not started in this browser');

/**
 * Clears the cookie, once the server side of the round-trip has been used up. Not before: if a store is down at
 * the callback, the person reloads it once the store is back and carries on, which needs the cookie. Single use
 * does not rest on the cookie (a saved copy could be replayed) but on the consumed server-side transaction.
 */
export function forgetUpstreamRoundTrip(ctx: Context, state: string): void {
  ctx.cookies.set(nameFor(state), null, { path: PATH });
}

/**
 * The round-trip is over and `page` (a path on this broker) shows how it ended: a reload of the callback address, or
 * the back button onto it, goes there instead of being refused as a replay. Replaces the cookie `forget` cleared; the
 * server-side transaction stays spent, so nothing is redeemed twice.
 */
export function finishUpstreamRoundTrip(ctx: Context, state: string, page: string): void {
  ctx.cookies.set(nameFor(state), `${FINISHED}:${page}`, {
    overwrite: true,
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    path: PATH,
    maxAge: FINISHED_SECONDS * 1000,
  });
}

/** A path on this broker, never another site (`//host` and `/\\host` are other sites to a browser). */
const isLocalPath = (ref: string) => /^\/(?![/\\])/.test(ref);

/**
 * What the upstream answered for `transaction`: the person's identity, or the OAuth error the upstream itself
 * answered with (the person cancelled, or the upstream refused them). Anything else is thrown.
 */
export async function upstreamAnswer(
  ctx: Context,
  deps: Pick<PageDeps, 'config' | 'clock'>,
  upstream: Upstream,
  transaction: UpstreamTransaction,
): Promise<{ identity: UpstreamIdentity; idToken: string } | { refused: NonNullable<UpstreamError['oauthError']> }> {
  try {
    return await completeUpstreamSignIn(upstream, transaction, {
      redirectUri: callbackUri(deps.config, upstream.config.id),
      query: new URLSearchParams(ctx.querystring),
      now: deps.clock.now(),
    });
  } catch (err) {
    if (err instanceof UpstreamError && err.oauthError) return { refused: err.oauthError };
    throw err;
  }
}

import type { RouterContext, RouterMiddleware } from '@koa/router';
import type { Next } from 'koa';

/** What a step that adds nothing to the state adds. */
export type Nothing = Record<never, never>;

/**
 * One step of a route (node-oidc-provider's per-endpoint step tables are the model): a middleware that reads what
 * earlier steps put on `ctx.state` and adds `Adds` for the steps after it and the route's handler. `Adds` is carried
 * in the type only.
 */
export type Step<Adds> = RouterMiddleware & { readonly adds?: Adds };

/** Declares a step; `Needs` is what it reads from earlier steps (the route's table puts them first). */
export function step<Adds, Needs = Nothing>(
  run: (ctx: RouterContext<Needs & Partial<Adds>>, next: Next) => Promise<unknown>,
): Step<Adds> {
  return run as unknown as Step<Adds>;
}

type Added<S> = S extends Step<infer A> ? A : never;
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** The state a route's handler sees: everything its steps added. */
export type StateOf<Steps extends readonly Step<unknown>[]> = Intersection<Added<Steps[number]>>;

/**
 * A route: its steps in order, then its handler, which reads what the steps put on `ctx.state` and does only the
 * route's own behaviour. A step that answers (an error thrown, a page rendered) ends the route there.
 */
export function route<const Steps extends readonly Step<unknown>[]>(
  steps: Steps,
  handler: (ctx: RouterContext<StateOf<Steps>>) => Promise<void> | void,
): RouterMiddleware[] {
  return [...steps, (ctx) => handler(ctx as RouterContext<StateOf<Steps>>)];
}

import type { RouterContext, RouterMiddleware } from '@koa/router';
import type { Next } from 'koa';

/** What a step that adds nothing to the state adds. */
export type Nothing = Record<never, never>;

/**
 * One step of a route (node-oidc-provider's per-endpoint step tables are the model): a middleware that reads what
 * earlier steps put on `ctx.state` (`Needs`) and adds `Adds` for the steps after it and the route's handler. Both
 * are carried in the type only.
 */
export type Step<Adds, Needs = Nothing> = RouterMiddleware & {
  readonly adds?: Adds;
  readonly needs?: (state: Needs) => void;
};

/** Declares a step; `Needs` is what it reads from earlier steps (the route's table puts them first). */
export function step<Adds, Needs = Nothing>(
  run: (ctx: RouterContext<Needs & Partial<Adds>>, next: Next) => Promise<unknown>,
): Step<Adds, Needs> {
  return run as unknown as Step<Adds, Needs>;
}

/**
 * The route's steps as they are when each step's needs are met by the steps before it; otherwise the first step
 * out of place (or whose provider is missing) is replaced by a message, so `route()` does not type-check. A CSRF
 * check placed before the form it reads would otherwise only fail at run time.
 */
type InOrder<Steps extends readonly unknown[], Have> = Steps extends readonly [infer First, ...infer Rest]
  ? First extends Step<infer Adds, infer Needs>
    ? [Have] extends [Needs]
      ? readonly [First, ...InOrder<Rest, Have & Adds>]
      : readonly ['a step needs what no earlier step adds', ...unknown[]]
    : never
  : readonly [];

type Added<S> = S extends Step<infer A, never> ? A : never;
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** The state a route's handler sees: everything its steps added. */
export type StateOf<Steps extends readonly Step<unknown, never>[]> = Intersection<Added<Steps[number]>>;

/**
 * A route: its steps in order, then its handler, which reads what the steps put on `ctx.state` and does only the
 * route's own behaviour. A step that answers (an error thrown, a page rendered) ends the route there.
 */
export function route<const Steps extends readonly Step<unknown, never>[]>(
  steps: Steps & InOrder<Steps, Nothing>,
  handler: (ctx: RouterContext<StateOf<Steps>>) => Promise<void> | void,
): RouterMiddleware[] {
  return [...steps, (ctx) => handler(ctx as RouterContext<StateOf<Steps>>)];
}

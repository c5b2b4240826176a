import type { RouterMiddleware } from '@koa/router';
import type { z } from 'zod';
import { parseInput } from '../shared/parse-input.ts';

/** What a route takes from a request, each part a zod schema; a part without one is not read. */
export interface RequestSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  /** A JSON body, already read (json-body.ts). */
  body?: z.ZodType;
  /** How a refusal names the body: "malformed organisation: name". */
  bodyIs?: string;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** The request as the route's schemas parsed it: typed, trimmed, defaults filled in. */
export interface Guarded<R extends RequestSchemas> {
  params: Parsed<R['params']>;
  query: Parsed<R['query']>;
  body: Parsed<R['body']>;
}

export interface GuardState<R extends RequestSchemas> {
  guard: Guarded<R>;
}

/**
 * Validates a request against its route's schemas before the handler runs, and hands the handler typed input in
 * `ctx.state.guard` (as Logto's koa-guard does). A failure is parseInput's 400 `invalid_input` naming the fields and
 * any unknown key, whichever part it is in; a repeated query parameter arrives as a list and is refused the same way.
 */
export function guard<R extends RequestSchemas>(schemas: R): RouterMiddleware<GuardState<R>> {
  return async (ctx, next) => {
    ctx.state.guard = {
      params: schemas.params && parseInput(schemas.params, ctx.params, 'path'),
      query: schemas.query && parseInput(schemas.query, ctx.query, 'query'),
      body: schemas.body && parseInput(schemas.body, ctx.request.body, schemas.bodyIs ?? 'request'),
    } as Guarded<R>;
    await next();
  };
}

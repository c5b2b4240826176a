import type Router from '@koa/router';
import type { RouterContext } from '@koa/router';
import type { z } from 'zod';
import type { AccountHolder } from '../account/account-holder.ts';
import type { AccountOperations } from '../account/account-operations.ts';
import type { AccountState } from './account-auth.ts';
import { preferredLanguage, routerPath } from './admin-route.ts';
import { guard, type GuardState, type Guarded, type RequestSchemas } from './guard.ts';
import { jsonBody } from './json-body.ts';
import type { DocumentedOperation } from './openapi-document.ts';

/**
 * One account API operation, declared once: the route, its guard and its entry in the account API's OpenAPI document
 * (account-openapi.ts). `access` documents who may call it: any signed-in person, or only an organisation's
 * administrator (the use case itself refuses anyone else, as it does for the console's pages).
 */
export interface AccountRoute<
  S extends RequestSchemas = RequestSchemas,
  R extends z.ZodType | undefined = undefined,
> extends DocumentedOperation {
  access: 'person' | 'administrator';
  request: S;
  response: { status: 200 | 201 | 202 | 204; description: string; schema: R };
  handle(
    /** `language`: what the caller's Accept-Language prefers, for the emails an operation sends. */
    input: Guarded<S> & { holder: AccountHolder; ip: string; language?: string; ctx: RouterContext },
    account: AccountOperations,
  ): Promise<R extends z.ZodType ? z.input<R> : void>;
}

export type AnyAccountRoute = AccountRoute<RequestSchemas, z.ZodType | undefined>;

export const accountRoute = <S extends RequestSchemas, R extends z.ZodType | undefined = undefined>(
  route: AccountRoute<S, R>,
): AnyAccountRoute => route;

/** Serves the operations on `router` (behind account-auth.ts), each with the JSON body parser where it takes one. */
export function mountAccountRoutes(
  router: Router,
  routes: readonly AnyAccountRoute[],
  account: AccountOperations,
): void {
  for (const route of routes) {
    const takesBody = route.method === 'post' || route.method === 'put';
    router[route.method](
      routerPath(route.path),
      ...(takesBody ? [jsonBody] : []),
      guard(route.request),
      async (ctx: RouterContext<GuardState<RequestSchemas> & AccountState>) => {
        const { holder } = ctx.state.account;
        const result: unknown = await route.handle(
          { ...ctx.state.guard, holder, ip: ctx.ip, language: preferredLanguage(ctx), ctx },
          account,
        );
        ctx.status = route.response.status;
        if (route.response.status !== 204) ctx.body = result;
      },
    );
  }
}

import type Router from '@koa/router';
import type { RouterContext } from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import type { AdminOperations } from '../admin/admin-operations.ts';
import type { AdminActor, AdminScope } from '../clients/admin-scopes.ts';
import { actorOf, requireScope } from './admin-auth.ts';
import { guard, type GuardState, type Guarded, type RequestSchemas } from './guard.ts';
import { jsonBody } from './json-body.ts';
import type { DocumentedOperation } from './openapi-document.ts';

/**
 * One admin API operation, declared once: the route the broker serves, the guard that validates its input, and its
 * entry in the OpenAPI document (admin-openapi.ts) all come from this. `path` is the OpenAPI template under
 * /admin/api/v1 (`/directory/organisations/{organisationId}`); the area's tag is its scope's.
 */
export interface AdminRoute<
  S extends RequestSchemas = RequestSchemas,
  R extends z.ZodType | undefined = undefined,
> extends DocumentedOperation {
  scope: AdminScope;
  request: S;
  response: { status: 200 | 201 | 204; description: string; schema: R };
  handle(
    /** `language`: what the caller's Accept-Language prefers, for the emails an operation sends. */
    input: Guarded<S> & { actor: AdminActor; language?: string; ctx: RouterContext },
    admin: AdminOperations,
  ): Promise<R extends z.ZodType ? z.input<R> : void>;
}

/** An operation of any shape, as the API and the document list them (each route typed its own handler). */
export type AnyAdminRoute = AdminRoute<RequestSchemas, z.ZodType | undefined>;

/** Declares an operation; the handler's input and result are typed by the route's own schemas. */
export const adminRoute = <S extends RequestSchemas, R extends z.ZodType | undefined = undefined>(
  route: AdminRoute<S, R>,
): AnyAdminRoute => route;

/**
 * The language an API caller prefers (its first Accept-Language tag), for the emails an operation sends: the mail
 * module matches it against the catalogues, after the recipient's own `locale`.
 */
export const preferredLanguage = (ctx: Context): string | undefined =>
  ctx.acceptsLanguages().find((tag) => tag !== '*');

/** `/clients/{clientId}` as @koa/router writes it: `/clients/:clientId`. */
export const routerPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/**
 * Serves the operations on `router`, each behind its scope, then (unless it reads its own body) the JSON body
 * parser, then its guard; the handler gets typed input, the caller as actor, and the bound use cases.
 */
export function mountAdminRoutes(router: Router, routes: readonly AnyAdminRoute[], admin: AdminOperations): void {
  for (const route of routes) {
    router[route.method](
      routerPath(route.path),
      requireScope(route.scope),
      ...(route.ownBody ? [] : [jsonBody]),
      guard(route.request),
      async (ctx: RouterContext<GuardState<RequestSchemas>>) => {
        const result: unknown = await route.handle(
          { ...ctx.state.guard, actor: actorOf(ctx), language: preferredLanguage(ctx), ctx },
          admin,
        );
        ctx.status = route.response.status;
        if (route.response.status !== 204) ctx.body = result;
      },
    );
  }
}

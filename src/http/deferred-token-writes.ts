import type { Middleware } from 'koa';
import type { Logger } from '../shared/logger.ts';
import { errorFields } from '../shared/logger.ts';
import { isDependencyOutage } from '../shared/outage.ts';
import type { RequestContext } from '../shared/request-context.ts';

/**
 * Around oidc-provider's token endpoint: the tokens it saves one after the other (a refresh grant saves the new
 * refresh token, then the access token) may be left by the store to this request (stores/redis/oidc-adapter.ts
 * queues them in one pipeline), and here they are sent, together, once the answer is ready and before it goes out.
 * Should one fail, the answer carries no token: a store that did not answer becomes oidc-provider's `server_error`,
 * which provider-outage.ts (outside this) turns into 503 `temporarily_unavailable`; anything else stays a 500.
 */
export function deferredTokenWrites(requests: RequestContext, logger: Logger): Middleware {
  return async (ctx, next) => {
    const scope = ctx.path === '/token' ? requests.current() : undefined;
    if (!scope) return next();
    const pending: (() => Promise<void>)[] = [];
    scope.pendingWrites = pending;
    let failure: unknown;
    try {
      await next();
    } finally {
      scope.pendingWrites = undefined;
      for (const result of await Promise.allSettled(pending.map((send) => send())))
        if (result.status === 'rejected') failure ??= result.reason;
    }
    if (failure === undefined) return;
    logger.error('token.write_failed', errorFields(failure));
    if (isDependencyOutage(failure)) ctx.state.storeOutage = true;
    ctx.status = 500;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { error: 'server_error', error_description: 'the tokens could not be stored; nothing was issued' };
  };
}

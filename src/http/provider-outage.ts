import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import { isDependencyOutage } from '../shared/outage.ts';

const RETRY_AFTER_SECONDS = '10';

/**
 * oidc-provider reports a store that did not answer as `server_error` (500). Around the provider, this turns such
 * answers into what a client can act on: `temporarily_unavailable` (the OAuth error for "try again later") with
 * 503 and Retry-After, whether the error went out as JSON, as a redirect to the client, or as a page.
 */
export function providerOutageAnswers(provider: Provider): Middleware {
  provider.on('server_error', (ctx, err) => {
    if (isDependencyOutage(err)) ctx.state.storeOutage = true;
  });
  provider.on('authorization.error', (ctx, err) => {
    if (isDependencyOutage(err)) ctx.state.storeOutage = true;
  });
  return async (ctx, next) => {
    await next();
    if (!ctx.state.storeOutage) return;
    ctx.set('Retry-After', RETRY_AFTER_SECONDS);
    const location = ctx.response.get('Location');
    if (location && ctx.status >= 300 && ctx.status < 400) {
      ctx.set('Location', location.replace(/([?#&])error=server_error/, '$1error=temporarily_unavailable'));
      return;
    }
    ctx.status = 503;
    const body = ctx.body as { error?: string } | undefined;
    if (body && typeof body === 'object' && body.error === 'server_error') {
      ctx.body = {
        error: 'temporarily_unavailable',
        error_description: 'a store the broker depends on did not answer; try again shortly',
      };
    }
  };
}

import type { ProviderPages } from '../oidc/pages.ts';
import { referenceCode } from '../shared/ids.ts';
import { isDependencyOutage } from '../shared/outage.ts';
import type { Logger } from '../shared/logger.ts';
import { toAppError } from '../shared/to-app-error.ts';
import { respondWithError } from './error-handler.ts';
import type { Views } from './views.ts';

/** oidc-provider's own pages (errors, logout), rendered with the broker's templates. */
export function createProviderPages(views: Views, logger: Logger): ProviderPages {
  return {
    async renderError(ctx, out, error) {
      // A store that did not answer is the broker's own "temporarily unavailable", not the portal's mistake.
      if (isDependencyOutage(error)) {
        respondWithError(ctx, toAppError(error), error, { views, logger });
        return;
      }
      const reference = referenceCode();
      ctx.state.errorReference = reference;
      logger.warn('oidc.error', {
        reference,
        status: ctx.status,
        error: out.error,
        description: out.error_description,
        path: ctx.path,
        ...(ctx.status >= 500 ? { stack: error.stack } : {}),
      });
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = views.page(ctx, 'errors/oidc-error', {
        title: views.t(ctx, ctx.status >= 500 ? 'errors.title.500' : 'errors.title.oidc'),
        error: out.error,
        // oidc-provider's descriptions are written for the portal's developers; shown as technical details.
        description: ctx.status >= 500 ? undefined : out.error_description,
        reference,
      });
    },
    async logoutSource(ctx, form) {
      const client = ctx.oidc.client;
      ctx.type = 'html';
      ctx.body = views.page(ctx, 'oidc/logout', {
        title: views.t(ctx, 'oidc.logout.title'),
        form,
        clientName: client?.clientName ?? client?.clientId,
      });
    },
    async postLogoutSuccessSource(ctx) {
      const client = ctx.oidc.client;
      ctx.type = 'html';
      ctx.body = views.page(ctx, 'oidc/logged-out', {
        title: views.t(ctx, 'oidc.loggedOut.title'),
        clientName: client?.clientName ?? client?.clientId,
      });
    },
  };
}

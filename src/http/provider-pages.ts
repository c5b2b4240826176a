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
      ctx.body = views.render('errors/oidc-error', {
        title: ctx.status >= 500 ? 'Something went wrong' : 'This sign-in request cannot be completed',
        error: out.error,
        // oidc-provider's descriptions are written for the portal's developers; shown as technical details.
        description: ctx.status >= 500 ? undefined : out.error_description,
        reference,
      });
    },
    async logoutSource(ctx, form) {
      const client = ctx.oidc.client;
      ctx.type = 'html';
      ctx.body = views.render('oidc/logout', {
        title: 'Sign out',
        form,
        clientName: client?.clientName ?? client?.clientId,
      });
    },
    async postLogoutSuccessSource(ctx) {
      const client = ctx.oidc.client;
      ctx.type = 'html';
      ctx.body = views.render('oidc/logged-out', {
        title: 'You are signed out',
        clientName: client?.clientName ?? client?.clientId,
      });
    },
  };
}

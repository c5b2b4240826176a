import type { Middleware } from 'koa';

/**
 * Headers oidc-provider does not set (docs/architecture.md §6). The CSP is set before the rest of the pipeline runs so
 * that oidc-provider's auto-submitting form_post pages can add the hash of their one inline script to `script-src`.
 * Pages load only the broker's own stylesheet and scripts (one: the "check your email" page asks whether the
 * association has landed, hence connect-src 'self').
 */
export function securityHeaders(): Middleware {
  return async (ctx, next) => {
    ctx.set(
      'Content-Security-Policy',
      "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data: https:; base-uri 'none'; frame-ancestors 'none'",
    );
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('X-Content-Type-Options', 'nosniff');
    // Link and interaction URLs carry one-time values; no page of the broker should leak its URL onwards.
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    await next();
  };
}

import type { Middleware } from 'koa';

/**
 * Headers oidc-provider does not set (docs/architecture.md §6). The CSP is set before the rest of the pipeline runs so
 * that oidc-provider's auto-submitting form_post pages can add the hash of their one inline script to `script-src`.
 * Pages load only the broker's own stylesheet and scripts (one: the "check your email" page asks whether the
 * association has landed, hence connect-src 'self').
 */
export function securityHeaders(): Middleware {
  // Set straight on Node's response and handed on without an async frame of its own: it runs on every request,
  // the token endpoint's included (docs/decisions/0028). Nothing has been sent yet this early.
  return (ctx, next) => {
    const { res } = ctx;
    for (const [name, value] of HEADERS) res.setHeader(name, value);
    return next();
  };
}

const HEADERS: readonly (readonly [string, string])[] = [
  [
    'Content-Security-Policy',
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data: https:; base-uri 'none'; frame-ancestors 'none'",
  ],
  ['X-Frame-Options', 'DENY'],
  ['X-Content-Type-Options', 'nosniff'],
  // Link and interaction URLs carry one-time values; no page of the broker should leak its URL onwards.
  ['Referrer-Policy', 'no-referrer'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
];

import type { Context, Middleware, Next } from 'koa';

const METHODS = 'GET, POST, PUT, DELETE';
const HEADERS = 'Authorization, Content-Type';

/**
 * Cross-origin calls to the account API from the pages of portals registered for it: a browser may call it only from
 * the origin of a redirect URI of an enabled portal that may ask for the `account` scope. Requests carry the
 * person's token in the Authorization header, never cookies, so credentials are not allowed. An origin not listed
 * gets no CORS headers, and the browser keeps the answer from the page. It runs before the API's routes and their
 * authentication: a preflight carries no token, and a refusal must still reach the portal's page to be read.
 */
export function accountCors(prefix: string, allowedOrigins: () => Promise<ReadonlySet<string>>): Middleware {
  return async (ctx: Context, next: Next) => {
    if (!ctx.path.startsWith(`${prefix}/`)) return next();
    const origin = ctx.get('Origin');
    ctx.vary('Origin');
    const allowed = origin !== '' && (await allowedOrigins()).has(origin);
    if (ctx.method === 'OPTIONS') {
      ctx.status = 204;
      if (allowed && ctx.get('Access-Control-Request-Method')) {
        ctx.set('Access-Control-Allow-Origin', origin);
        ctx.set('Access-Control-Allow-Methods', METHODS);
        ctx.set('Access-Control-Allow-Headers', HEADERS);
        ctx.set('Access-Control-Max-Age', '600');
      }
      return;
    }
    if (allowed) ctx.set('Access-Control-Allow-Origin', origin);
    await next();
  };
}

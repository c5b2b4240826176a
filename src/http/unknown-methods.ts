import type { Server } from 'node:http';
import type { Middleware } from 'koa';
import { NotFoundError } from '../shared/errors.ts';

/** Every method a route of the broker (or oidc-provider) answers; the routers' own 405s cover these. */
const SERVED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Any other method (PROPFIND, MKCOL, …) finds nothing here: 404, as a method the broker does serve finds at an
 * address without a route for it. The routers would answer 501 Not Implemented, which scanners read as a server
 * that might implement it some other way.
 */
export function unknownMethods(): Middleware {
  // No async frame of its own (every request passes here): a throw still reaches the error handler as a rejection.
  return (ctx, next) => {
    if (!SERVED_METHODS.has(ctx.method)) throw new NotFoundError('not_found', `no ${ctx.method} route`);
    return next();
  };
}

/**
 * Methods Node's HTTP parser does not know (`FOO /`) never reach Koa: the parser fails, and Node would answer 400.
 * They get the same 404 as unknown methods it parses; every other parse error keeps Node's own answer.
 */
export function answerUnparsableMethods(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const status =
      err.code === 'HPE_INVALID_METHOD'
        ? '404 Not Found'
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? '408 Request Timeout'
            : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
}

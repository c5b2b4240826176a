import { readFileSync } from 'node:fs';
import Router from '@koa/router';

/**
 * The start of a JSON API's router (the admin API and the account API): nothing it answers is cached, and its OpenAPI
 * document is served as checked in, without authentication. The caller adds its authentication and its routes.
 */
export function apiRouter(prefix: string, openapiFile: string): Router {
  const openapi = readFileSync(openapiFile, 'utf8');
  const router = new Router({ prefix });
  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = openapi;
  });
  return router;
}

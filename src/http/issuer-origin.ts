import type Koa from 'koa';

/**
 * Every URL the broker builds from a request (oidc-provider's discovery and endpoint URLs, the return address
 * kept in each interaction) starts with the configured issuer, whatever `Host`, `X-Forwarded-Host` or
 * `X-Forwarded-Proto` say: a forged header would otherwise put another origin into discovery or send a person
 * there at the end of a sign-in. The issuer is the broker's public identity; a proxy in front cannot change it.
 * (`trustProxy` still decides whether `X-Forwarded-For` gives the client's address.)
 */
export function issuerOrigin(app: Koa, issuer: string): void {
  const url = new URL(issuer);
  const protocol = url.protocol.slice(0, -1);
  // On the app's request prototype, once: every request's `ctx.request` inherits from it.
  Object.defineProperties(app.request, {
    protocol: { value: protocol, configurable: true },
    host: { value: url.host, configurable: true },
    hostname: { value: url.hostname, configurable: true },
    href: {
      get(this: { originalUrl: string }) {
        return `${url.origin}${pathAndQuery(this.originalUrl)}`;
      },
      configurable: true,
    },
  });
}

/** The path and query of a request target, also in absolute form (`GET http://other.example/auth`). */
function pathAndQuery(target: string): string {
  if (target.startsWith('/')) return target;
  try {
    const parsed = new URL(target);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return '/';
  }
}

/**
 * The yardstick of `npm run bench:compare`: bare oidc-provider, the same version the broker uses, with its own
 * memory adapter and one client, configured like the broker where the work is the same (RS256 signing key, opaque
 * access tokens unless a resource is asked for, JWT ones for a resource server, refresh tokens rotated on use).
 * No directory, no stores, no audit: what the broker adds is what the comparison shows.
 *
 *   PORT=4100 node test/bench/bare-provider.ts
 *
 * GET /bench/refresh-token mints a refresh token for the bench account (the broker's come from real sign-ins; the
 * bare provider has no upstream to sign in at, and minting costs the same as the code grant's save).
 */
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { BARE_CLIENT, BENCH_RESOURCE, BENCH_RESOURCE_SCOPE } from './bench-clients.ts';

const port = Number(process.env.PORT ?? 4100);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'bench', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: BARE_CLIENT.id,
      client_secret: BARE_CLIENT.secret,
      grant_types: ['client_credentials', 'refresh_token', 'authorization_code'],
      response_types: ['code'],
      redirect_uris: ['https://portal.example/cb'],
      scope: `openid offline_access ${BENCH_RESOURCE_SCOPE}`,
    },
  ],
  jwks: { keys: [jwk] },
  cookies: { keys: ['bench-cookie-key-0123456789abcdef'] },
  rotateRefreshToken: true,
  scopes: ['openid', 'offline_access', BENCH_RESOURCE_SCOPE],
  async findAccount(_ctx, id) {
    return { accountId: id, claims: async () => ({ sub: id }) };
  },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => undefined,
      useGrantedResource: async () => false,
      getResourceServerInfo: async () => ({
        audience: BENCH_RESOURCE,
        scope: BENCH_RESOURCE_SCOPE,
        accessTokenFormat: 'jwt',
      }),
    },
  },
});

async function mintRefreshToken(): Promise<string> {
  const client = await provider.Client.find(BARE_CLIENT.id);
  const grant = new provider.Grant({ accountId: 'bench-account', clientId: BARE_CLIENT.id });
  grant.addOIDCScope('openid offline_access');
  const grantId = await grant.save();
  const token = new provider.RefreshToken({
    accountId: 'bench-account',
    client: client!,
    grantId,
    scope: 'openid offline_access',
    gty: 'authorization_code',
    authTime: Math.floor(Date.now() / 1000),
  });
  return token.save();
}

const callback = provider.callback();
createServer((req, res) => {
  if (req.url === '/bench/refresh-token') {
    mintRefreshToken().then(
      (token) => res.writeHead(200, { 'content-type': 'text/plain' }).end(token),
      (err: Error) => res.writeHead(500).end(err.message),
    );
    return;
  }
  callback(req, res);
}).listen(port, '127.0.0.1', () => process.stdout.write(`bare oidc-provider on ${issuer}\n`));
process.on('SIGTERM', () => process.exit(0));

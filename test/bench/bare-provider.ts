/**
 * The yardstick of `npm run bench:compare`: bare oidc-provider, the same version the broker uses, with a plain
 * memory adapter and one client, configured like the broker where the work is the same (RS256 signing key, opaque
 * access tokens unless a resource is asked for, JWT ones for a resource server, refresh tokens rotated on use).
 * No directory, no stores, no audit: what the broker adds is what the comparison shows.
 *
 *   PORT=4100 node test/bench/bare-provider.ts
 *
 * BENCH_PRELOAD_GRANTS=<n>: n live grants, with a refresh token each, stored through the adapter before it listens
 * (preload.ts, as the brokers get theirs).
 *
 * GET /bench/refresh-token mints a refresh token for the bench account (the broker's come from real sign-ins; the
 * bare provider has no upstream to sign in at, and minting costs the same as the code grant's save).
 */
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Adapter, type AdapterPayload } from 'oidc-provider';
import { BARE_CLIENT, BENCH_RESOURCE, BENCH_RESOURCE_SCOPE } from './bench-clients.ts';
import { preloadCounts, preloadGrants, timed } from './preload.ts';

const port = Number(process.env.PORT ?? 4100);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'bench', alg: 'RS256', use: 'sig' };

/**
 * oidc-provider's own memory adapter keeps the last 1,000 entries only (an LRU), so under load the refresh tokens the
 * bench holds are evicted and every refresh fails. This one is the same few Map operations without the bound, as the
 * broker's memory stores are unbounded (and swept).
 */
class MapAdapter implements Adapter {
  static entries = new Map<string, AdapterPayload>();
  static grants = new Map<string, Set<string>>();
  static uids = new Map<string, string>();
  private readonly model: string;
  constructor(model: string) {
    this.model = model;
  }
  private key = (id: string) => `${this.model}:${id}`;
  async upsert(id: string, payload: AdapterPayload) {
    MapAdapter.entries.set(this.key(id), payload);
    if (payload.grantId) {
      const members = MapAdapter.grants.get(payload.grantId) ?? new Set<string>();
      MapAdapter.grants.set(payload.grantId, members.add(this.key(id)));
    }
    if (payload.uid) MapAdapter.uids.set(payload.uid, id);
  }
  async find(id: string) {
    return MapAdapter.entries.get(this.key(id));
  }
  async findByUid(uid: string) {
    const id = MapAdapter.uids.get(uid);
    return id === undefined ? undefined : this.find(id);
  }
  async findByUserCode() {
    return undefined;
  }
  async consume(id: string) {
    const payload = MapAdapter.entries.get(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string) {
    MapAdapter.entries.delete(this.key(id));
  }
  async revokeByGrantId(grantId: string) {
    for (const key of MapAdapter.grants.get(grantId) ?? []) MapAdapter.entries.delete(key);
    MapAdapter.grants.delete(grantId);
  }
}

const provider = new Provider(issuer, {
  adapter: MapAdapter,
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

const { grants } = preloadCounts();
if (grants)
  await timed('grants (bare provider, memory adapter)', () =>
    preloadGrants(provider, BARE_CLIENT.id, grants, (i) => `bench-account-${i}`, 'openid offline_access'),
  );

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

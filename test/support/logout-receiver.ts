import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

export const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * A portal's back-channel logout endpoint: a real HTTP server on loopback that keeps every logout token posted to
 * it. It can be taken down and brought back on the same port, to show that notices wait for a portal that is down.
 */
export async function startLogoutReceiver() {
  const received: string[] = [];
  let server: Server | undefined;
  let port = 0;

  const listen = async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const token = new URLSearchParams(body).get('logout_token');
        if (req.method !== 'POST' || !token) {
          res.writeHead(400).end();
          return;
        }
        received.push(token);
        res.writeHead(200, { 'cache-control': 'no-store' }).end();
      });
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server!.address() as AddressInfo).port;
  };
  await listen();

  return {
    get url() {
      return `http://127.0.0.1:${port}/backchannel-logout`;
    },
    received,
    /** Down: connections are refused until `start`. */
    async stop() {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => server?.close(() => resolve()));
      server = undefined;
    },
    start: listen,
    close: async () => {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}

export type LogoutReceiver = Awaited<ReturnType<typeof startLogoutReceiver>>;

/**
 * Verifies a logout token as OIDC Back-Channel Logout 1.0 §2.6 tells a portal to: signature against the broker's
 * JWKS, issuer, audience, the back-channel event, a sid, a jti, and no nonce. Returns its claims.
 */
export async function verifyLogoutToken(token: string, issuer: string, audience: string): Promise<JWTPayload> {
  const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  const { payload } = await jwtVerify(token, jwks, { issuer, audience, maxTokenAge: '5 minutes' });
  const events = payload.events as Record<string, unknown> | undefined;
  if (!events || typeof events[BACKCHANNEL_EVENT] !== 'object') throw new Error('logout token without its event');
  if ('nonce' in payload) throw new Error('logout token with a nonce');
  if (typeof payload.sid !== 'string' || !payload.jti) throw new Error('logout token without sid or jti');
  return payload;
}

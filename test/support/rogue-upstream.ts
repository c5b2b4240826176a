import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';

/** How the hostile upstream misbehaves on the next round-trip. */
export type Scenario =
  | 'valid'
  | 'access-denied'
  | 'no-iss-param'
  | 'foreign-iss-param'
  | 'alg-none'
  | 'hs256-public-key'
  | 'wrong-aud'
  | 'expired'
  | 'future-iat'
  | 'wrong-nonce'
  | 'replayed-nonce'
  | 'unknown-kid'
  | 'foreign-iss'
  | 'rotated-key'
  | 'slow-token';

/**
 * A scripted upstream identity provider for attack tests: it stands for a party outside the broker, so it may be
 * a stub. It speaks just enough OpenID Connect (discovery, authorize, token, JWKS) and misbehaves on request.
 */
export async function startRogueUpstream(options: {
  clientId: string;
  subject: string;
  email: string;
  foreignIssuer: string;
  tls?: { key: string; cert: string };
}) {
  const signing = await generateKeyPair('RS256', { extractable: true });
  const stranger = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(signing.publicKey)), kid: 'rogue-1', alg: 'RS256', use: 'sig' };
  // After a key rotation the upstream publishes and signs with a new key; its JWKS then lists both.
  const rotated = await generateKeyPair('RS256', { extractable: true });
  const rotatedJwk = { ...(await exportJWK(rotated.publicKey)), kid: 'rogue-2', alg: 'RS256', use: 'sig' };
  let keyRotated = false;
  const publicPem = await exportSPKI(signing.publicKey);
  const codes = new Map<string, string>();
  const seenNonces: string[] = [];
  const state = {
    scenario: 'valid' as Scenario,
    tokenRequests: 0,
    /** How long the token endpoint takes to answer in the 'slow-token' scenario. */
    slowTokenMs: 3000,
    jwksRequests: 0,
    issuer: '',
    subject: options.subject,
  };

  const idToken = async (nonce: string) => {
    const now = Math.floor(Date.now() / 1000);
    // Like some real upstreams, it always says when the person authenticated.
    const claims = {
      sub: state.subject,
      email: options.email,
      nonce,
      iat: now,
      exp: now + 300,
      iss: state.issuer,
      aud: options.clientId,
      auth_time: now - 1,
    };
    switch (state.scenario) {
      case 'alg-none':
        return new UnsecuredJWT(claims).encode();
      case 'hs256-public-key':
        return new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256', kid: 'rogue-1' })
          .sign(new TextEncoder().encode(publicPem));
      case 'wrong-aud':
        claims.aud = 'someone-else';
        break;
      case 'expired':
        claims.iat = now - 7200;
        claims.exp = now - 3600;
        break;
      case 'future-iat':
        claims.iat = now + 3600;
        claims.exp = now + 7200;
        break;
      case 'wrong-nonce':
        claims.nonce = 'not-the-nonce';
        break;
      case 'replayed-nonce':
        claims.nonce = seenNonces.at(-2) ?? 'none-yet';
        break;
      case 'foreign-iss':
        claims.iss = options.foreignIssuer;
        break;
      case 'unknown-kid':
        return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'rogue-unknown' }).sign(stranger.privateKey);
      case 'rotated-key':
        keyRotated = true;
        return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'rogue-2' }).sign(rotated.privateKey);
      default:
        break;
    }
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'rogue-1' }).sign(signing.privateKey);
  };

  const readBody = async (req: IncomingMessage) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    return new URLSearchParams(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url!, state.issuer);
      const json = (value: unknown) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(value));
      };
      if (url.pathname === '/.well-known/openid-configuration') {
        return json({
          issuer: state.issuer,
          authorization_endpoint: `${state.issuer}/authorize`,
          token_endpoint: `${state.issuer}/token`,
          jwks_uri: `${state.issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'],
          authorization_response_iss_parameter_supported: true,
        });
      }
      if (url.pathname === '/jwks') {
        state.jwksRequests += 1;
        return json({ keys: keyRotated ? [publicJwk, rotatedJwk] : [publicJwk] });
      }
      if (url.pathname === '/authorize') {
        const back = new URL(url.searchParams.get('redirect_uri')!);
        back.searchParams.set('state', url.searchParams.get('state')!);
        if (state.scenario === 'access-denied') {
          back.searchParams.set('error', 'access_denied');
        } else {
          const code = `code-${Math.random().toString(36).slice(2)}`;
          const nonce = url.searchParams.get('nonce')!;
          codes.set(code, nonce);
          seenNonces.push(nonce);
          back.searchParams.set('code', code);
        }
        if (state.scenario !== 'no-iss-param')
          back.searchParams.set('iss', state.scenario === 'foreign-iss-param' ? options.foreignIssuer : state.issuer);
        res.writeHead(302, { location: back.href });
        return res.end();
      }
      if (url.pathname === '/token' && req.method === 'POST') {
        state.tokenRequests += 1;
        if (state.scenario === 'slow-token') await new Promise((resolve) => setTimeout(resolve, state.slowTokenMs));
        const body = await readBody(req);
        const nonce = codes.get(body.get('code') ?? '');
        if (!nonce) {
          res.statusCode = 400;
          return json({ error: 'invalid_grant' });
        }
        codes.delete(body.get('code')!);
        return json({ access_token: 'opaque', token_type: 'Bearer', expires_in: 60, id_token: await idToken(nonce) });
      }
      res.statusCode = 404;
      res.end();
    })().catch(() => {
      // A client that gave up mid-request (the broker's timeout) leaves nothing to answer.
      res.destroy();
    });
  };
  const server = options.tls ? createTlsServer(options.tls, handle) : createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.issuer = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    state,
    get issuer() {
      return state.issuer;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The broker's configuration of the rogue upstream (the client it is at the rogue server), with any extra settings. */
export const rogueUpstreamConfig = (issuer: string, extra: { timeoutSeconds?: number } = {}) => ({
  id: 'rogue',
  name: 'Rogue IdP',
  issuer,
  clientId: 'broker-at-rogue',
  clientSecret: 'rogue-secret-0123456789',
  allowInsecureHttp: true,
  ...extra,
});

/**
 * The scripted upstream with Erin's account on it, and a directory seed file: the demo directory, with Erin's one
 * profile associated with that account, so her callback leads straight back to the portal. For tests that drive a
 * broker process through a whole sign-in at an upstream they control (slow token endpoint, tracing).
 */
export async function startRogueErin() {
  const rogue = await startRogueUpstream({
    clientId: 'broker-at-rogue',
    subject: 'rogue-erin',
    email: 'erin@outlook.example',
    foreignIssuer: 'http://127.0.0.1:9/foreign',
  });
  const seed = JSON.parse(readFileSync(join(import.meta.dirname, '../../config/demo/directory.json'), 'utf8'));
  seed.associations.push({ profileId: 'prf-erin-contoso', upstreamId: 'rogue', subject: 'rogue-erin' });
  const seedFile = join(mkdtempSync(join(tmpdir(), 'rogue-erin-seed-')), 'directory.json');
  writeFileSync(seedFile, JSON.stringify(seed));
  return { rogue, seedFile };
}

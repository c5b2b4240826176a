import { readFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { ConfigError } from '../shared/errors.ts';
import { randomToken } from '../shared/ids.ts';

/**
 * The algorithms the broker signs with. RS256 signs ID tokens unless a portal registers another
 * (`id_token_signed_response_alg`), and JWT access tokens unless a resource server's settings name another; ES256
 * and EdDSA (Ed25519) are smaller and faster to sign. A key set holds a key of each it offers, and oidc-provider
 * signs with the first key of the algorithm asked for.
 */
export const SIGNING_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];
export const DEFAULT_SIGNING_ALG: SigningAlg = 'RS256';

export interface KeyMaterial {
  jwks: { keys: JWK[] };
  cookieKeys: string[];
  /** True when generated for this process: tokens and sessions die with it. Refused in production. */
  generated: boolean;
}

/** Signing keys from the JWKS file when configured, else a fresh key of each algorithm for this process. */
export async function loadKeyMaterial(options: {
  jwksFile?: string;
  cookieKeys?: readonly string[];
}): Promise<KeyMaterial> {
  const cookieKeys = options.cookieKeys?.length ? [...options.cookieKeys] : [randomToken(32)];
  if (options.jwksFile) {
    const jwks = JSON.parse(readFileSync(options.jwksFile, 'utf8')) as { keys?: JWK[] };
    if (!Array.isArray(jwks.keys) || jwks.keys.length === 0 || jwks.keys.some((k) => !k.d)) {
      throw new Error(`JWKS_FILE ${options.jwksFile} must hold a "keys" array of private keys`);
    }
    if (!jwks.keys.some((k) => signingAlgOf(k) === DEFAULT_SIGNING_ALG))
      throw new ConfigError([
        `JWKS_FILE ${options.jwksFile} holds no ${DEFAULT_SIGNING_ALG} key, which signs ID tokens unless a portal asks for another algorithm: add one with npm run keys -- rotate signing --alg ${DEFAULT_SIGNING_ALG} --file ${options.jwksFile}`,
      ]);
    return { jwks: { keys: jwks.keys }, cookieKeys, generated: !options.cookieKeys?.length };
  }
  return { jwks: { keys: await generateSigningKeys() }, cookieKeys, generated: true };
}

/** A new key set: one key of each algorithm, RS256 first. */
export async function generateSigningKeys(): Promise<JWK[]> {
  return Promise.all(SIGNING_ALGS.map((alg) => generateSigningKey(alg)));
}

export async function generateSigningKey(alg: SigningAlg = DEFAULT_SIGNING_ALG): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  });
  const jwk = await exportJWK(privateKey);
  return {
    ...jwk,
    alg,
    use: 'sig',
    kid: `${alg.toLowerCase()}-${new Date().toISOString().slice(0, 10)}-${randomToken(6)}`,
  };
}

/** The algorithm a key signs with: its `alg`, else what its type implies (a key set written by hand may omit it). */
export function signingAlgOf(key: JWK): SigningAlg | undefined {
  if (key.alg) return (SIGNING_ALGS as readonly string[]).includes(key.alg) ? (key.alg as SigningAlg) : undefined;
  if (key.kty === 'RSA') return 'RS256';
  if (key.kty === 'EC' && key.crv === 'P-256') return 'ES256';
  if (key.kty === 'OKP' && key.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}

/** The algorithms a key set can sign with, in the order of SIGNING_ALGS. */
export function signingAlgsOf(keys: readonly JWK[]): SigningAlg[] {
  const present = new Set(keys.map(signingAlgOf));
  return SIGNING_ALGS.filter((alg) => present.has(alg));
}

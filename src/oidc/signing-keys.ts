import { readFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { randomToken } from '../shared/ids.ts';

export interface KeyMaterial {
  jwks: { keys: JWK[] };
  cookieKeys: string[];
  /** True when generated for this process: tokens and sessions die with it. Refused in production. */
  generated: boolean;
}

/** Signing keys from the JWKS file when configured, else a fresh RS256 key for this process. */
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
    return { jwks: { keys: jwks.keys }, cookieKeys, generated: !options.cookieKeys?.length };
  }
  return { jwks: { keys: [await generateSigningKey()] }, cookieKeys, generated: true };
}

export async function generateSigningKey(alg: 'RS256' | 'ES256' = 'RS256'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return {
    ...jwk,
    alg,
    use: 'sig',
    kid: `${alg.toLowerCase()}-${new Date().toISOString().slice(0, 10)}-${randomToken(6)}`,
  };
}

import { createECDH, createHmac } from 'node:crypto';
import type { JWK } from 'jose';

/**
 * The demo's secrets (its portals' client secrets, the development upstream's client secret and signing key) are
 * derived from the broker's first cookie key instead of drawn at random, so every node of a demo that shares its
 * cookie keys (docker-compose.yml runs two) agrees on them. With the generated per-process keys of `npm start`
 * they are as random as before.
 */
export function deriveDemoSecret(seed: string, label: string): string {
  return createHmac('sha256', seed).update(`demo-secret:${label}`).digest('base64url');
}

/** A P-256 signing key (ES256) derived from `seed`: the private scalar from an HMAC, the public point from it. */
export function deriveDemoSigningKey(seed: string, label: string): JWK {
  const d = createHmac('sha256', seed).update(`demo-signing-key:${label}`).digest();
  const ecdh = createECDH('prime256v1');
  // A 256-bit HMAC output is below the curve order except with negligible probability; setPrivateKey checks it.
  ecdh.setPrivateKey(d);
  const point = ecdh.getPublicKey(); // 0x04 || x || y
  const b64 = (bytes: Buffer) => bytes.toString('base64url');
  return {
    kty: 'EC',
    crv: 'P-256',
    d: b64(d),
    x: b64(point.subarray(1, 33)),
    y: b64(point.subarray(33, 65)),
    alg: 'ES256',
    use: 'sig',
    kid: `demo-${label}-${deriveDemoSecret(seed, `kid:${label}`).slice(0, 8)}`,
  };
}

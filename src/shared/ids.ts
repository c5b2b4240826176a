import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';

/** A random URL-safe identifier with `bytes` bytes of CSPRNG entropy (default 32 bytes = 256 bits). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** An identifier for a record the broker makes (an organisation, a profile, a client): `<prefix>-` and letters and digits. */
export function newRecordId(prefix: string, bytes = 9): string {
  return `${prefix}-${randomToken(bytes)
    .replace(/[^A-Za-z0-9]/g, 'x')
    .toLowerCase()}`;
}

const asReference = (hex: string) =>
  hex
    .slice(0, 12)
    .toUpperCase()
    .replace(/(.{4})(.{4})(.{4})/, '$1-$2-$3');

/** Short reference code people can read out to support; also the key that ties a page to its log line. */
export function referenceCode(): string {
  return asReference(randomBytes(6).toString('hex'));
}

/**
 * A reference code derived from something unique (a link id), for an event that a retry must record only once
 * and whose reference a person has already been given.
 */
export function referenceFor(seed: string): string {
  return asReference(createHash('sha256').update(seed).digest('hex'));
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** Compares two strings without leaking where they differ through timing. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

import { describe, expect, it } from '@jest/globals';
import { createCookieSigner } from '../../src/shared/cookie-signer.ts';

const CURRENT = 'current-cookie-key-0123456789abcdefghij';
const OLDER = 'older-cookie-key-0123456789abcdefghijkl';

describe('cookie signer', () => {
  // Signatures keygrip 1.1 gave for these keys: cookies a browser holds from before this signer stay valid.
  const BY_CURRENT = 'YbRBlKc7Jp0TicxW1BEM8x223AI';
  const BY_OLDER = 'mn8iYBHhVkbBNZYT0TERYrHMOhc';

  it('signs a cookie as keygrip does, with the first key', () => {
    expect(createCookieSigner([CURRENT, OLDER]).sign('_session=abc')).toBe(BY_CURRENT);
    expect(createCookieSigner([OLDER]).sign('_session=abc')).toBe(BY_OLDER);
  });

  it('accepts a signature by a key rotated out of first place and says which key made it', () => {
    const signer = createCookieSigner([CURRENT, OLDER]);
    expect(signer.index('_session=abc', BY_CURRENT)).toBe(0);
    expect(signer.index('_session=abc', BY_OLDER)).toBe(1);
    expect(signer.verify('_session=abc', BY_OLDER)).toBe(true);
  });

  it('refuses a signature of other data, by an unknown key, tampered, of another length or not a string', () => {
    const signer = createCookieSigner([CURRENT, OLDER]);
    expect(signer.index('_session=abd', BY_CURRENT)).toBe(-1);
    expect(signer.index('_session=abc', createCookieSigner(['x'.repeat(40)]).sign('_session=abc'))).toBe(-1);
    expect(signer.index('_session=abc', `${BY_CURRENT.slice(0, -1)}B`)).toBe(-1);
    expect(signer.index('_session=abc', `${BY_CURRENT}=`)).toBe(-1);
    expect(signer.index('_session=abc', '')).toBe(-1);
    expect(signer.index('_session=abc', undefined as unknown as string)).toBe(-1);
    expect(signer.verify('_session=abc', BY_CURRENT.toLowerCase())).toBe(false);
  });

  it('gives the keyed digest the last-profile cookie held before (HMAC-SHA-256 with the first key)', () => {
    expect(createCookieSigner([CURRENT, OLDER]).digest('last-profile:prf-alice-contoso')).toBe(
      'JabaFQrbPqcOHvxZrHFdBUpFJ2gLNdO5KY0IhCoijmA',
    );
  });

  it('needs at least one key', () => {
    expect(() => createCookieSigner([])).toThrow('cookie keys are required');
  });
});

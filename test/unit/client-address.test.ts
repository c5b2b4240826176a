import { describe, expect, it } from '@jest/globals';
import { rateLimitKeyForAddress } from '../../src/shared/client-address.ts';

describe('the key a per-IP limit counts an address under', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::198.51.100.1', '64:ff9b:0:0::/64'],
    ['2001:db8:1:2::198.51.100.1', '2001:db8:1:2::/64'],
  ])('%s counts as %s', (address, key) => {
    expect(rateLimitKeyForAddress(address)).toBe(key);
  });

  it('tells different /64s apart', () => {
    expect(rateLimitKeyForAddress('2001:db8:1:2::1')).not.toBe(rateLimitKeyForAddress('2001:db8:1:3::1'));
  });
});

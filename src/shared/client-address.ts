import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key a per-IP rate limit counts a client address under. An IPv6 host usually holds a whole /64 (SLAAC,
 * privacy addresses), so one client can rotate through 2^64 addresses: IPv6 addresses are grouped by their /64.
 * IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`, what a dual-stack socket reports) count as the IPv4 address.
 */
export function rateLimitKeyForAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  // A zone index (fe80::1%eth0) names the interface, not the address.
  const plain = address.split('%')[0]!;
  if (!isIPv6(plain)) return address;
  return `${expandIPv6(plain).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, as lower-case hex without leading zeros. */
function expandIPv6(address: string): string[] {
  // A trailing dotted quad (::1.2.3.4) is two groups.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const text = dotted
    ? `${address.slice(0, dotted.index)}${((Number(dotted[1]) << 8) | Number(dotted[2])).toString(16)}:${((Number(dotted[3]) << 8) | Number(dotted[4])).toString(16)}`
    : address;
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => parseInt(g, 16).toString(16));
}

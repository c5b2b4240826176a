import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where the broker may send requests an operator configured (webhooks, back-channel logout): a URL pointing into the
 * broker's own network would let whoever registers it probe or call internal services (server-side request forgery).
 * In production such URLs are refused at registration, and the address is checked again when connecting, since a
 * name can resolve elsewhere later.
 */

// Loopback, "this network", private (RFC 1918), carrier-grade NAT, link-local (cloud metadata lives at
// 169.254.169.254), benchmarking, IETF protocol assignments, multicast and reserved ranges; and their IPv6 kin.
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  INTERNAL.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  INTERNAL.addSubnet(network, prefix, 'ipv6');

const INTERNAL_NAMES = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/i;

/** Whether an IP address (v4 or v6, IPv4-mapped v6 included) is loopback, link-local, private or otherwise internal. */
export function isInternalAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return INTERNAL.check(mapped[1]!, 'ipv4');
  const family = isIP(bare);
  if (family === 4) return INTERNAL.check(bare, 'ipv4');
  if (family === 6) return INTERNAL.check(bare, 'ipv6');
  return false;
}

/**
 * What is wrong with `uri` as a destination for the broker's outbound requests, judged from the URL alone (no name
 * lookup): for checks that must be synchronous, such as oidc-provider's client validation. `production`: https only,
 * no internal address or local-network name. Otherwise plain http is also taken, on any host.
 */
export function outboundUrlSyntaxProblem(uri: string, options: { production: boolean }): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'not an absolute URL';
  }
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.hash) return 'must not have a fragment';
  if (!options.production) return ['https:', 'http:'].includes(url.protocol) ? undefined : 'must use https or http';
  if (url.protocol !== 'https:') return 'must use https';
  // A name's trailing dot (`localhost.`) names the same host.
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (isIP(host)) return isInternalAddress(host) ? 'points at a loopback, link-local or private address' : undefined;
  if (INTERNAL_NAMES.test(host) || !host.includes('.')) return 'names a host of the local network';
  return undefined;
}

/**
 * What is wrong with `uri` as a destination for the broker's outbound requests, or undefined. `production`: https
 * only, and no host that is or resolves to an internal address. Otherwise plain http is also taken, on any host
 * (the demo and tests run receivers on localhost).
 */
export async function outboundUrlProblem(
  uri: string,
  options: { production: boolean; resolve?: (host: string) => Promise<string[]> },
): Promise<string | undefined> {
  const problem = outboundUrlSyntaxProblem(uri, options);
  if (problem || !options.production) return problem;
  const host = new URL(uri).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return undefined;
  const resolve = options.resolve ?? resolveHost;
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    return `its host ${host} does not resolve`;
  }
  if (addresses.some(isInternalAddress))
    return `its host ${host} resolves to a loopback, link-local or private address`;
  return undefined;
}

async function resolveHost(host: string): Promise<string[]> {
  return (await lookup(host, { all: true })).map((a) => a.address);
}

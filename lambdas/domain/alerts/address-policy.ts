/**
 * Which network addresses a notification may be sent to. Address parsing and the special-purpose
 * ranges come from ipaddr.js (maintained, no dependencies), never from hand-written parsing: it reads
 * every IPv4 spelling a URL or a resolver may carry (2130706433, 0177.0.0.1, 0x7f.1, 127.1) and
 * classifies IPv6 by the IANA special-purpose registries.
 *
 * Allowed: IPv4 addresses ipaddr.js calls plain `unicast` (not private, loopback, link-local and so
 * the cloud metadata service 169.254.169.254, CGNAT, multicast, broadcast, reserved, unspecified,
 * benchmarking or documentation), and IPv6 global unicast (2000::/3) that is `unicast` too. Every
 * IPv6 form that carries an IPv4 address (mapped ::ffff:0:0/96, compatible ::/96, NAT64
 * 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16, Teredo 2001::/32, SIIT) is refused whatever the
 * address inside: each may reach an internal IPv4 host, and no webhook needs one.
 */
import ipaddr from 'ipaddr.js';

export type AddressFamily = 4 | 6;

/**
 * Why an address is refused (its kind, e.g. `IPv4 private`, never the address itself: a refusal of a
 * resolved name must not tell the caller what internal names resolve to), or undefined when allowed.
 */
export function refusedAddress(address: string): string | undefined {
  const parsed = parseAddress(address);
  if (!parsed) return 'not an IP address';
  const range = parsed.range();
  if (parsed.kind() === 'ipv4') return range === 'unicast' ? undefined : `IPv4 ${range}`;
  if (range !== 'unicast') return `IPv6 ${range}`;
  // Outside 2000::/3 ipaddr.js still says `unicast` for unassigned space, IPv4-compatible ::a.b.c.d included.
  if (!(parsed as ipaddr.IPv6).match(GLOBAL_UNICAST)) return 'IPv6 outside global unicast';
  return undefined;
}

const GLOBAL_UNICAST: [ipaddr.IPv6, number] = [ipaddr.IPv6.parse('2000::'), 3];

/** True for 127.0.0.0/8 and ::1 (the only addresses local mode also allows). */
export function isLoopback(address: string): boolean {
  return parseAddress(address)?.range() === 'loopback';
}

/** The address in its canonical form and family, or undefined when the text is not an IP address. */
export function canonicalAddress(text: string): { address: string; family: AddressFamily } | undefined {
  const parsed = parseAddress(text);
  if (!parsed) return undefined;
  return { address: parsed.toString(), family: parsed.kind() === 'ipv4' ? 4 : 6 };
}

/** A URL host's brackets removed; every IPv4 spelling ipaddr.js knows (decimal, octal, hex, short). */
function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (!ipaddr.isValid(bare)) return undefined;
  try {
    return ipaddr.parse(bare);
  } catch {
    return undefined;
  }
}

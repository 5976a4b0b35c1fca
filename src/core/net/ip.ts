/** IP-layer constants and address formatting (only called when a payload is emitted). */

export const IPPROTO_HOPOPTS = 0;
export const IPPROTO_IPIP = 4;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_ROUTING = 43;
export const IPPROTO_FRAGMENT = 44;
export const IPPROTO_GRE = 47;
export const IPPROTO_ESP = 50;
export const IPPROTO_AH = 51;
export const IPPROTO_NONE = 59;
export const IPPROTO_DSTOPTS = 60;

/**
 * IPv6 extension headers in the common "next header, length in 8-octet units beyond the first"
 * format (RFC 8200 §4; RFC 6564): hop-by-hop, routing, destination options, HIP (139),
 * Shim6 (140) and the experimental 253/254. AH (RFC 4302) counts in 4-octet units; ESP and
 * "no next header" end the walk.
 */
export function isGenericIpv6ExtHeader(nh: number): boolean {
  return nh === 0 || nh === 43 || nh === 60 || nh === 139 || nh === 140 || nh === 253 || nh === 254;
}

export function protocolName(p: number): string {
  return p === 6 ? 'TCP' : p === 17 ? 'UDP' : p === 4 ? 'IPv4' : p === 41 ? 'IPv6' : p === 47 ? 'GRE' : `protocol ${p}`;
}

/** Dotted-quad IPv4 address at `d[o..o+4)`. */
export function formatIPv4(d: Uint8Array, o: number): string {
  return `${d[o]}.${d[o + 1]}.${d[o + 2]}.${d[o + 3]}`;
}

/**
 * IPv6 address at `d[o..o+16)` in RFC 5952 form: lowercase hex, no leading zeros, the longest
 * run (first on a tie) of two or more zero groups as `::`, and IPv4-mapped addresses
 * (::ffff:0:0/96) with the dotted quad (§5).
 */
export function formatIPv6(d: Uint8Array, o: number): string {
  let bestStart = -1, bestLen = 0, runStart = -1;
  for (let g = 0; g < 8; g++) {
    const zero = d[o + 2 * g] === 0 && d[o + 2 * g + 1] === 0;
    if (zero) {
      if (runStart < 0) runStart = g;
      const len = g - runStart + 1;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
    } else runStart = -1;
  }
  if (bestStart === 0 && bestLen === 5 && d[o + 10] === 0xff && d[o + 11] === 0xff) {
    return `::ffff:${formatIPv4(d, o + 12)}`;
  }
  if (bestLen < 2) bestStart = -1;
  let out = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      out += '::';
      g += bestLen - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += ((d[o + 2 * g] << 8) | d[o + 2 * g + 1]).toString(16);
  }
  return out;
}

/**
 * Caches IPv4 strings by address so that bulk traffic between a few hosts formats each address
 * once. Bounded: cleared when full.
 */
export class Ipv4Names {
  private readonly cache = new Map<number, string>();
  constructor(private readonly max = 4096) {}
  get(d: Uint8Array, o: number): string {
    const key = ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
    let s = this.cache.get(key);
    if (s === undefined) {
      if (this.cache.size >= this.max) this.cache.clear();
      s = formatIPv4(d, o);
      this.cache.set(key, s);
    }
    return s;
  }
}

/** Addresses and transports as logs write them ("UDP:1.2.3.4:5060", "udp/[::1]:5060", ...). */
import type { Endpoint, TransportName } from '../types';

export function transportName(s: string): TransportName {
  switch (s.toUpperCase()) {
    case 'UDP':
      return 'UDP';
    case 'TCP':
      return 'TCP';
    case 'TLS':
      return 'TLS';
    case 'SCTP':
      return 'SCTP';
    case 'WS':
      return 'WS';
    case 'WSS':
      return 'WSS';
    default:
      return 'unknown';
  }
}

function ipv4(s: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = [m[1], m[2], m[3], m[4]].map(Number);
  return parts.every((p) => p <= 255) ? parts.join('.') : undefined;
}

/** Eight 16-bit groups of an IPv6 address (RFC 4291 §2.2 text forms), or undefined. */
function ipv6Groups(s: string): number[] | undefined {
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || s.indexOf(':') < 0) return undefined;
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) > lastColon) {
    const v4 = ipv4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    const o = v4.split('.').map(Number);
    tail = [(o[0] << 8) | o[1], (o[2] << 8) | o[3]];
    // The dotted quad stands for the last two groups: keep what precedes it ("::" stays whole).
    s = s.slice(0, lastColon + 1);
    if (!s.endsWith('::')) s = s.slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]);
  const back = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !back) return undefined;
  const known = head.length + back.length + tail.length;
  if (halves.length === 1) return known === 8 ? [...head, ...tail] : undefined;
  if (known > 7) return undefined;
  return [...head, ...new Array<number>(8 - known).fill(0), ...back, ...tail];
}

/** RFC 5952 §4 text form; IPv4-mapped addresses in the mixed form of §5. */
function formatIpv6(g: number[]): string {
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${g[6] >> 8}.${g[6] & 255}.${g[7] >> 8}.${g[7] & 255}`;
  }
  let bestAt = -1;
  let bestLen = 1; // a single 0 group is not shortened (RFC 5952 §4.2.2)
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestAt < 0) return hex.join(':');
  return hex.slice(0, bestAt).join(':') + '::' + hex.slice(bestAt + bestLen).join(':');
}

/** A printable IP address (dotted IPv4 or RFC 5952 IPv6), or undefined for a host name. */
export function normalizeIp(s: string): string | undefined {
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const v4 = ipv4(s);
  if (v4) return v4;
  const g = ipv6Groups(s);
  return g ? formatIpv6(g) : undefined;
}

/**
 * "1.2.3.4:5060", "[2001:db8::1]:5060", or "2001:db8::1:5060" (sngrep and liblinphone write
 * IPv6 without brackets; the last field is then taken as the port). Undefined when there is no
 * port or the host is a name.
 */
export function parseHostPort(s: string): Endpoint | undefined {
  s = s.trim();
  let host: string;
  let port: string;
  const br = /^\[([^\]]+)\]:(\d{1,5})$/.exec(s);
  if (br) {
    host = br[1];
    port = br[2];
  } else {
    const i = s.lastIndexOf(':');
    if (i <= 0) return undefined;
    host = s.slice(0, i);
    port = s.slice(i + 1);
    if (!/^\d{1,5}$/.test(port)) return undefined;
  }
  const ip = normalizeIp(host);
  const p = Number(port);
  if (!ip || p > 65535) return undefined;
  return { ip, port: p };
}

/** Host and port given separately (FreeSWITCH "udp/[1.2.3.4]:5060", sipdump fields, tshark). */
export function endpointOf(host: string, port: string | number): Endpoint | undefined {
  const ip = normalizeIp(host.trim());
  const p = typeof port === 'number' ? port : /^\d{1,5}$/.test(port) ? Number(port) : NaN;
  if (!ip || !(p >= 0 && p <= 65535)) return undefined;
  return { ip, port: p };
}

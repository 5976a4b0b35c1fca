// Capture file writers (classic pcap, pcapng) and packet builders for the benchmark generator.
// Frames are built in one scratch buffer and copied into a large output buffer that is flushed
// with synchronous writes: a 1 GB capture is written in well under a minute.
import { closeSync, openSync, writeSync } from 'node:fs';

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_LINUX_SLL = 113;

const OUT_BUFFER = 8 << 20;
const TWO32 = 4294967296;

/**
 * Writes records to a pcap (µs, little-endian, Ethernet) or a pcapng file (one section, one
 * Interface Description Block per entry of `ifaces`, { linkType, nanos }).
 */
export class CaptureFile {
  constructor(path, format, ifaces) {
    this.fd = openSync(path, 'w');
    this.format = format;
    this.ifaces = ifaces;
    this.buf = Buffer.alloc(OUT_BUFFER);
    this.pos = 0;
    this.bytes = 0;
    this.frames = 0;
    this.perIface = ifaces.map(() => 0);
    if (format === 'pcap') {
      if (ifaces.length !== 1) throw new Error('pcap has one link type');
      const h = this.buf;
      h.writeUInt32LE(0xa1b2c3d4, 0);
      h.writeUInt16LE(2, 4);
      h.writeUInt16LE(4, 6);
      h.writeUInt32LE(0, 8);
      h.writeUInt32LE(0, 12);
      h.writeUInt32LE(262144, 16);
      h.writeUInt32LE(ifaces[0].linkType, 20);
      this.pos = 24;
    } else {
      this.block(0x0a0d0d0a, (b, o) => {
        b.writeUInt32LE(0x1a2b3c4d, o);
        b.writeUInt16LE(1, o + 4);
        b.writeUInt16LE(0, o + 6);
        b.writeInt32LE(-1, o + 8); // section length unknown
        b.writeInt32LE(-1, o + 12);
        let q = o + 16;
        q = option(b, q, 4, 'sip-trace-inspector scripts/bench'); // shb_userappl
        b.writeUInt32LE(0, q); // opt_endofopt
        return q + 4 - o;
      });
      for (const f of ifaces) {
        this.block(0x00000001, (b, o) => {
          b.writeUInt16LE(f.linkType, o);
          b.writeUInt16LE(0, o + 2);
          b.writeUInt32LE(262144, o + 4);
          let q = o + 8;
          q = option(b, q, 2, f.name); // if_name
          if (f.nanos) {
            b.writeUInt16LE(9, q); // if_tsresol
            b.writeUInt16LE(1, q + 2);
            b.writeUInt32LE(9, q + 4); // 10^-9, padded to 4
            q += 8;
          }
          b.writeUInt32LE(0, q);
          return q + 4 - o;
        });
      }
    }
  }

  room(n) {
    if (this.pos + n > this.buf.length) this.flush();
  }

  flush() {
    let done = 0;
    while (done < this.pos) done += writeSync(this.fd, this.buf, done, this.pos - done);
    this.bytes += this.pos;
    this.pos = 0;
  }

  /** A pcapng block whose body `fill(buf, offset)` writes and sizes (a multiple of 4). */
  block(type, fill) {
    this.room(65536);
    const b = this.buf, o = this.pos;
    b.writeUInt32LE(type, o);
    const body = fill(b, o + 8);
    const total = 12 + body;
    b.writeUInt32LE(total, o + 4);
    b.writeUInt32LE(total, o + total - 4);
    this.pos += total;
  }

  /** One frame: `len` bytes of `frame`, captured at `usec` (integer µs since the epoch). */
  write(usec, iface, frame, len) {
    this.frames++;
    this.perIface[iface]++;
    if (this.format === 'pcap') {
      this.room(16 + len);
      const b = this.buf, o = this.pos;
      const sec = Math.floor(usec / 1e6);
      b.writeUInt32LE(sec, o);
      b.writeUInt32LE(usec - sec * 1e6, o + 4);
      b.writeUInt32LE(len, o + 8);
      b.writeUInt32LE(len, o + 12);
      frame.copy(b, o + 16, 0, len);
      this.pos += 16 + len;
      return;
    }
    const padded = (len + 3) & ~3;
    const total = 32 + padded;
    this.room(total);
    const b = this.buf, o = this.pos;
    let hi, lo;
    if (this.ifaces[iface].nanos) {
      // usec * 1000 exceeds 2^53: split µs into 32-bit halves first, then scale each exactly.
      const uh = Math.floor(usec / TWO32), ul = usec - uh * TWO32;
      const l = ul * 1000;
      const carry = Math.floor(l / TWO32);
      lo = l - carry * TWO32;
      hi = uh * 1000 + carry;
    } else {
      hi = Math.floor(usec / TWO32);
      lo = usec - hi * TWO32;
    }
    b.writeUInt32LE(6, o); // Enhanced Packet Block
    b.writeUInt32LE(total, o + 4);
    b.writeUInt32LE(iface, o + 8);
    b.writeUInt32LE(hi, o + 12);
    b.writeUInt32LE(lo, o + 16);
    b.writeUInt32LE(len, o + 20);
    b.writeUInt32LE(len, o + 24);
    frame.copy(b, o + 28, 0, len);
    b.fill(0, o + 28 + len, o + 28 + padded);
    b.writeUInt32LE(total, o + 28 + padded);
    this.pos += total;
  }

  close(lastUsec) {
    if (this.format === 'pcapng') {
      // Interface Statistics Blocks, as dumpcap writes them when it stops.
      this.ifaces.forEach((_f, i) => {
        this.block(0x00000005, (b, o) => {
          const hi = Math.floor(lastUsec / TWO32);
          b.writeUInt32LE(i, o);
          b.writeUInt32LE(hi, o + 4);
          b.writeUInt32LE(lastUsec - hi * TWO32, o + 8);
          let q = o + 12;
          b.writeUInt16LE(4, q); // isb_ifrecv
          b.writeUInt16LE(8, q + 2);
          b.writeUInt32LE(this.perIface[i], q + 4);
          b.writeUInt32LE(0, q + 8);
          q += 12;
          b.writeUInt32LE(0, q);
          return q + 4 - o;
        });
      });
    }
    this.flush();
    closeSync(this.fd);
  }
}

function option(b, q, code, text) {
  const v = Buffer.from(text, 'utf8');
  b.writeUInt16LE(code, q);
  b.writeUInt16LE(v.length, q + 2);
  v.copy(b, q + 4);
  const padded = (v.length + 3) & ~3;
  b.fill(0, q + 4 + v.length, q + 4 + padded);
  return q + 4 + padded;
}

// ---------------------------------------------------------------------------------------------
// Hosts and packets
// ---------------------------------------------------------------------------------------------

/** An IPv4 host from four octets. */
export function host4(a, b, c, d) {
  return { v6: false, a: ((a << 24) | (b << 16) | (c << 8) | d) >>> 0, ip: `${a}.${b}.${c}.${d}`, ipId: (a * 7 + d * 131) & 0xffff };
}

/** An IPv6 host: a /64 prefix of four 16-bit groups and a 32-bit interface id. */
export function host6(groups, iid) {
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(g, 2 * i));
  b.writeUInt32BE(iid >>> 0, 12);
  const words = [];
  for (let i = 0; i < 8; i++) words.push(b.readUInt16BE(2 * i));
  return { v6: true, b, ip: ipv6Text(words), ipId: iid & 0xffff };
}

/** RFC 5952 text (what SIP URIs and the tools print). */
function ipv6Text(w) {
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a) => a.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(w);
  return `${hex(w.slice(0, best))}::${hex(w.slice(best + bestLen))}`;
}

const MAC_A = Buffer.from([0x02, 0x42, 0xac, 0x11, 0x00, 0x02]);
const MAC_B = Buffer.from([0x02, 0x42, 0xac, 0x11, 0x00, 0x01]);

/**
 * Builds frames into one scratch buffer. `link` is the link type of the interface the frame is
 * written to; every builder returns the frame length.
 */
export class PacketBuilder {
  constructor() {
    this.f = Buffer.alloc(70000);
  }

  /** Link header + IP header for `l4len` bytes of `proto`; returns the offset of the L4 header. */
  ip(link, src, dst, proto, l4len, fragOffset8 = 0, more = false, id = 0) {
    const f = this.f;
    let o;
    const et = src.v6 ? 0x86dd : 0x0800;
    if (link === LINKTYPE_ETHERNET) {
      const outgoing = (src.a ?? src.b[15]) & 1;
      (outgoing ? MAC_A : MAC_B).copy(f, 0);
      (outgoing ? MAC_B : MAC_A).copy(f, 6);
      f.writeUInt16BE(et, 12);
      o = 14;
    } else {
      // Linux cooked capture v1: packet type, ARPHRD_ETHER, address length, address, protocol.
      f.writeUInt16BE(0, 0);
      f.writeUInt16BE(1, 2);
      f.writeUInt16BE(6, 4);
      MAC_A.copy(f, 6);
      f.writeUInt16BE(0, 12);
      f.writeUInt16BE(et, 14);
      o = 16;
    }
    if (!src.v6) {
      f[o] = 0x45;
      f[o + 1] = 0;
      f.writeUInt16BE(20 + l4len, o + 2);
      f.writeUInt16BE(id, o + 4);
      f.writeUInt16BE((more ? 0x2000 : fragOffset8 === 0 && proto === 6 ? 0x4000 : 0) | fragOffset8, o + 6);
      f[o + 8] = 64;
      f[o + 9] = proto;
      f.writeUInt16BE(0, o + 10);
      f.writeUInt32BE(src.a, o + 12);
      f.writeUInt32BE(dst.a, o + 16);
      let sum = 0;
      for (let i = 0; i < 20; i += 2) sum += (f[o + i] << 8) | f[o + i + 1];
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      f.writeUInt16BE(~sum & 0xffff, o + 10);
      return o + 20;
    }
    f.writeUInt32BE(0x60000000, o);
    f.writeUInt16BE(l4len, o + 4);
    f[o + 6] = proto;
    f[o + 7] = 64;
    src.b.copy(f, o + 8);
    dst.b.copy(f, o + 24);
    return o + 40;
  }

  udp(link, src, sport, dst, dport, payload, pStart, pLen) {
    const f = this.f;
    const o = this.ip(link, src, dst, 17, 8 + pLen, 0, false, src.ipId = (src.ipId + 1) & 0xffff);
    f.writeUInt16BE(sport, o);
    f.writeUInt16BE(dport, o + 2);
    f.writeUInt16BE(8 + pLen, o + 4);
    f.writeUInt16BE(0, o + 6);
    payload.copy(f, o + 8, pStart, pStart + pLen);
    return o + 8 + pLen;
  }

  /**
   * IPv4 fragments of one UDP datagram, each `chunk` IP payload bytes (a multiple of 8) but the
   * last; `out(len)` is called with each fragment built in the scratch buffer.
   */
  udpFragments(link, src, sport, dst, dport, payload, chunk, out) {
    const whole = Buffer.alloc(8 + payload.length);
    whole.writeUInt16BE(sport, 0);
    whole.writeUInt16BE(dport, 2);
    whole.writeUInt16BE(8 + payload.length, 4);
    payload.copy(whole, 8);
    const id = src.ipId = (src.ipId + 1) & 0xffff;
    for (let at = 0; at < whole.length; at += chunk) {
      const n = Math.min(chunk, whole.length - at);
      const more = at + n < whole.length;
      const o = this.ip(link, src, dst, 17, n, at / 8, more, id);
      whole.copy(this.f, o, at, at + n);
      out(o + n);
    }
  }

  tcp(link, src, sport, dst, dport, seq, ack, flags, payload, pStart, pLen, tsVal = -1) {
    const f = this.f;
    const hl = tsVal >= 0 ? 32 : 20;
    const o = this.ip(link, src, dst, 6, hl + pLen, 0, false, src.ipId = (src.ipId + 1) & 0xffff);
    f.writeUInt16BE(sport, o);
    f.writeUInt16BE(dport, o + 2);
    f.writeUInt32BE(seq >>> 0, o + 4);
    f.writeUInt32BE(ack >>> 0, o + 8);
    f[o + 12] = (hl / 4) << 4;
    f[o + 13] = flags;
    f.writeUInt16BE(flags & 0x02 ? 64240 : 501, o + 14);
    f.writeUInt32BE(0, o + 16);
    if (hl === 32) {
      f[o + 20] = 1;
      f[o + 21] = 1;
      f[o + 22] = 8;
      f[o + 23] = 10;
      f.writeUInt32BE(tsVal >>> 0, o + 24);
      f.writeUInt32BE((tsVal - 3) >>> 0, o + 28);
    }
    if (pLen > 0) payload.copy(f, o + hl, pStart, pStart + pLen);
    return o + hl + pLen;
  }
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** Binary min-heap of sources ordered by `t` (µs), ties by insertion order. */
export class Heap {
  constructor() {
    this.a = [];
    this.n = 0;
  }

  get size() {
    return this.a.length;
  }

  push(src, t) {
    src.t = t;
    src.order = this.n++;
    const a = this.a;
    let i = a.length;
    a.push(src);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(a[p], src)) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = src;
  }

  pop() {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0) {
      let i = 0;
      const n = a.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && less(a[r], a[l]) ? r : l;
        if (less(last, a[c])) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

function less(x, y) {
  return x.t < y.t || (x.t === y.t && x.order < y.order);
}

/** Deterministic PRNG (mulberry32): floats in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO32;
  };
}

/** `n` pseudo-random bytes (xorshift32): payload for RTP and bulk transfers. */
export function randomPool(n, seed) {
  const words = new Uint32Array(n / 4);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return Buffer.from(words.buffer);
}

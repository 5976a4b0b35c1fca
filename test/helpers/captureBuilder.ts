/**
 * Synthesises capture files and packets for tests: classic pcap (µs/ns, both byte orders),
 * pcapng (sections in either byte order, interfaces, EPB/SPB/obsolete PB, any raw block), and
 * Ethernet / SLL / SLL2 / NULL / VLAN / IPv4 / IPv6 (+ extension headers) / GRE / UDP / TCP
 * packets, plus IPv4/IPv6 fragmentation. Checksums are left zero (nothing here verifies them).
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createCaptureReader, type CaptureFormat } from '../../src/core/capture/index';
import { PacketDecoder, type PacketDecoderOptions } from '../../src/core/net/decode';
import type { Problem, RawFrame, TcpSegment, TransportPayload } from '../../src/core/types';

// ---------------------------------------------------------------------------------------------
// Byte writing
// ---------------------------------------------------------------------------------------------

export class ByteWriter {
  private buf = new Uint8Array(256);
  length = 0;

  constructor(public le = true) {}

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u16(v: number, le = this.le): this {
    this.room(2);
    const b = this.buf, o = this.length;
    if (le) { b[o] = v & 0xff; b[o + 1] = (v >>> 8) & 0xff; } else { b[o] = (v >>> 8) & 0xff; b[o + 1] = v & 0xff; }
    this.length += 2;
    return this;
  }

  u32(v: number, le = this.le): this {
    this.room(4);
    const b = this.buf, o = this.length;
    v >>>= 0;
    if (le) { b[o] = v & 0xff; b[o + 1] = (v >>> 8) & 0xff; b[o + 2] = (v >>> 16) & 0xff; b[o + 3] = v >>> 24; }
    else { b[o] = v >>> 24; b[o + 1] = (v >>> 16) & 0xff; b[o + 2] = (v >>> 8) & 0xff; b[o + 3] = v & 0xff; }
    this.length += 4;
    return this;
  }

  /** 64-bit value as two 32-bit halves in the writer's order (pcapng timestamps: high first). */
  u64(v: bigint, le = this.le): this {
    const hi = Number((v >> 32n) & 0xffffffffn), lo = Number(v & 0xffffffffn);
    return le ? this.u32(lo, true).u32(hi, true) : this.u32(hi, false).u32(lo, false);
  }

  /** pcapng timestamp: the high 32 bits first, then the low, each in the writer's order. */
  ts64(v: bigint): this {
    return this.u32(Number((v >> 32n) & 0xffffffffn)).u32(Number(v & 0xffffffffn));
  }

  bytes(b: Uint8Array | number[]): this {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  pad4(): this {
    while (this.length % 4) this.u8(0);
    return this;
  }

  /** Overwrites a u32 already written at `at`. */
  setU32(at: number, v: number, le = this.le): this {
    const save = this.length;
    this.length = at;
    this.u32(v, le);
    this.length = save;
    return this;
  }

  out(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const w = new ByteWriter();
  for (const p of parts) w.bytes(p);
  return w.out();
}

export function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Classic pcap
// ---------------------------------------------------------------------------------------------

export interface PcapRecord {
  sec?: number;
  /** Microseconds or nanoseconds, as the file's resolution says. */
  frac?: number;
  data: Uint8Array;
  origLen?: number;
  /** Overrides the captured length written in the record header (data is written as is). */
  inclLen?: number;
}

export interface PcapOptions {
  le?: boolean;
  nanos?: boolean;
  snaplen?: number;
  /** The whole 32-bit link-type field (FCS bits included). */
  linkType?: number;
  major?: number;
  minor?: number;
}

/** A classic pcap file, and the file offset of each record's data. */
export function buildPcap(opts: PcapOptions, records: PcapRecord[]): { bytes: Uint8Array; dataOffsets: number[] } {
  const le = opts.le ?? true;
  const w = new ByteWriter(le);
  w.u32(opts.nanos ? 0xa1b23c4d : 0xa1b2c3d4).u16(opts.major ?? 2).u16(opts.minor ?? 4).u32(0).u32(0);
  w.u32(opts.snaplen ?? 65535).u32(opts.linkType ?? 1);
  const dataOffsets: number[] = [];
  for (const r of records) {
    w.u32(r.sec ?? 0).u32(r.frac ?? 0).u32(r.inclLen ?? r.data.length).u32(r.origLen ?? r.data.length);
    dataOffsets.push(w.length);
    w.bytes(r.data);
  }
  return { bytes: w.out(), dataOffsets };
}

// ---------------------------------------------------------------------------------------------
// pcapng
// ---------------------------------------------------------------------------------------------

export interface IdbOptions {
  snaplen?: number;
  /** Raw if_tsresol byte (e.g. 9 for ns, 0x80 | 20 for 2^-20). */
  tsresol?: number;
  /** if_tsoffset seconds. */
  tsoffset?: number;
}

export class PcapngBuilder {
  private w = new ByteWriter(true);
  /** File offset of the data of each packet block, in order. */
  readonly dataOffsets: number[] = [];
  /** File offset of each block, in order. */
  readonly blockOffsets: number[] = [];

  get length(): number {
    return this.w.length;
  }

  section(le = true, opts: { major?: number; minor?: number } = {}): this {
    this.w.le = le;
    return this.block(0x0a0d0d0a, (b) => b.u32(0x1a2b3c4d).u16(opts.major ?? 1).u16(opts.minor ?? 0).u64(-1n & 0xffffffffffffffffn));
  }

  iface(linkType: number, opts: IdbOptions = {}): this {
    return this.block(1, (b) => {
      b.u16(linkType).u16(0).u32(opts.snaplen ?? 0);
      if (opts.tsresol !== undefined) b.u16(9).u16(1).u8(opts.tsresol).pad4();
      if (opts.tsoffset !== undefined) b.u16(14).u16(8).u64(BigInt(opts.tsoffset));
      if (opts.tsresol !== undefined || opts.tsoffset !== undefined) b.u16(0).u16(0);
    });
  }

  epb(ifId: number, ts: bigint, data: Uint8Array, opts: { origLen?: number; capLen?: number } = {}): this {
    return this.block(6, (b, start) => {
      b.u32(ifId).ts64(ts).u32(opts.capLen ?? data.length).u32(opts.origLen ?? data.length);
      this.dataOffsets.push(start + b.length + 8);
      b.bytes(data).pad4();
    });
  }

  spb(data: Uint8Array, origLen = data.length): this {
    return this.block(3, (b, start) => {
      b.u32(origLen);
      this.dataOffsets.push(start + b.length + 8);
      b.bytes(data).pad4();
    });
  }

  /** Obsolete Packet Block (type 2). */
  pb(ifId: number, ts: bigint, data: Uint8Array, origLen = data.length): this {
    return this.block(2, (b, start) => {
      b.u16(ifId).u16(0).ts64(ts).u32(data.length).u32(origLen);
      this.dataOffsets.push(start + b.length + 8);
      b.bytes(data).pad4();
    });
  }

  /**
   * Any block: `body` writes the body (after type and length). `totalLen` / `trailerLen` override
   * the leading and trailing lengths to build damaged files.
   */
  block(type: number, body: (b: ByteWriter, start: number) => void, opts: { totalLen?: number; trailerLen?: number } = {}): this {
    const start = this.w.length;
    this.blockOffsets.push(start);
    const b = new ByteWriter(this.w.le);
    body(b, start);
    b.pad4();
    const total = b.length + 12;
    this.w.u32(type).u32(opts.totalLen ?? total).bytes(b.out()).u32(opts.trailerLen ?? total);
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.w.bytes(bytes);
    return this;
  }

  bytes(): Uint8Array {
    return this.w.out();
  }
}

// ---------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------

export function ip4(s: string): number[] {
  return s.split('.').map((x) => Number(x));
}

export function ip6(s: string): number[] {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const parse = (part: string | undefined): number[] => (part ? part.split(':').map((x) => parseInt(x, 16)) : []);
  const h = parse(head), t = parse(tail);
  const groups = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  const out: number[] = [];
  for (const g of groups) out.push(g >> 8, g & 0xff);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Transport and network layers (big-endian, as on the wire)
// ---------------------------------------------------------------------------------------------

export function udp(srcPort: number, dstPort: number, payload: Uint8Array, opts: { length?: number } = {}): Uint8Array {
  return new ByteWriter(false).u16(srcPort).u16(dstPort).u16(opts.length ?? payload.length + 8).u16(0).bytes(payload).out();
}

export interface TcpOptions {
  seq?: number;
  ack?: number;
  flags?: number;
  /** Option bytes (padded to 4). */
  options?: number[];
  dataOffset?: number;
}

export function tcp(srcPort: number, dstPort: number, payload: Uint8Array, opts: TcpOptions = {}): Uint8Array {
  const optLen = Math.ceil((opts.options?.length ?? 0) / 4) * 4;
  const w = new ByteWriter(false).u16(srcPort).u16(dstPort).u32(opts.seq ?? 1000).u32(opts.ack ?? 0);
  w.u8((opts.dataOffset ?? (20 + optLen) / 4) << 4).u8(opts.flags ?? 0x18).u16(65535).u16(0).u16(0);
  if (opts.options) w.bytes(opts.options).pad4();
  return w.bytes(payload).out();
}

export interface Ipv4Options {
  src?: string;
  dst?: string;
  proto?: number;
  id?: number;
  /** Sets MF. */
  more?: boolean;
  dontFragment?: boolean;
  /** Fragment offset in bytes (multiple of 8). */
  fragOffset?: number;
  totalLength?: number;
  /** Extra option bytes (IHL grows). */
  options?: number[];
}

export function ipv4(payload: Uint8Array, o: Ipv4Options = {}): Uint8Array {
  const optLen = Math.ceil((o.options?.length ?? 0) / 4) * 4;
  const ihl = 20 + optLen;
  const w = new ByteWriter(false).u8(0x40 | (ihl / 4)).u8(0).u16(o.totalLength ?? ihl + payload.length).u16(o.id ?? 1);
  w.u16((o.more ? 0x2000 : 0) | (o.dontFragment ? 0x4000 : 0) | ((o.fragOffset ?? 0) / 8)).u8(64).u8(o.proto ?? 17).u16(0);
  w.bytes(ip4(o.src ?? '10.0.0.1')).bytes(ip4(o.dst ?? '10.0.0.2'));
  if (o.options) w.bytes(o.options).pad4();
  return w.bytes(payload).out();
}

export interface Ipv6Options {
  src?: string;
  dst?: string;
  /** Next header of the fixed header (the first extension header's type when ext is given). */
  nextHeader?: number;
  payloadLength?: number;
}

export function ipv6(payload: Uint8Array, o: Ipv6Options = {}): Uint8Array {
  const w = new ByteWriter(false).u32(0x60000000).u16(o.payloadLength ?? payload.length).u8(o.nextHeader ?? 17).u8(64);
  return w.bytes(ip6(o.src ?? 'fd00::1')).bytes(ip6(o.dst ?? 'fd00::2')).bytes(payload).out();
}

/** A generic IPv6 extension header (hop-by-hop 0, routing 43, destination options 60) of `len8` 8-octet units. */
export function ipv6Ext(next: number, len8 = 1): Uint8Array {
  const out = new Uint8Array(len8 * 8);
  out[0] = next;
  out[1] = len8 - 1;
  if (len8 * 8 > 2) { out[2] = 1; out[3] = len8 * 8 - 4; } // PadN option filling the rest
  return out;
}

/** IPv6 Authentication Header (RFC 4302) with `icvWords` 32-bit words of ICV. */
export function ipv6Ah(next: number, icvWords = 3): Uint8Array {
  const len = 12 + icvWords * 4;
  const out = new Uint8Array(len);
  out[0] = next;
  out[1] = len / 4 - 2;
  return out;
}

export function ipv6FragHeader(next: number, offset: number, more: boolean, id: number): Uint8Array {
  return new ByteWriter(false).u8(next).u8(0).u16(offset | (more ? 1 : 0)).u32(id).out();
}

/** GRE header (RFC 2784/2890) followed by `payload`. */
export function gre(protocolType: number, payload: Uint8Array, o: { checksum?: boolean; key?: number; seq?: number } = {}): Uint8Array {
  const flags = (o.checksum ? 0x8000 : 0) | (o.key !== undefined ? 0x2000 : 0) | (o.seq !== undefined ? 0x1000 : 0);
  const w = new ByteWriter(false).u16(flags).u16(protocolType);
  if (o.checksum) w.u32(0);
  if (o.key !== undefined) w.u32(o.key);
  if (o.seq !== undefined) w.u32(o.seq);
  return w.bytes(payload).out();
}

/**
 * Splits the payload of an IPv4 datagram into fragments of at most `size` bytes (multiple of 8),
 * returned as whole IPv4 packets in order.
 */
export function fragmentIpv4(payload: Uint8Array, size: number, o: Ipv4Options = {}): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < payload.length; off += size) {
    const end = Math.min(payload.length, off + size);
    out.push(ipv4(payload.subarray(off, end), { ...o, fragOffset: off, more: end < payload.length }));
  }
  return out;
}

/** Same for IPv6: each fragment is a whole IPv6 packet with a fragment header. */
export function fragmentIpv6(upperNext: number, payload: Uint8Array, size: number, id: number, o: Ipv6Options = {}): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < payload.length; off += size) {
    const end = Math.min(payload.length, off + size);
    out.push(ipv6(concat(ipv6FragHeader(upperNext, off, end < payload.length, id), payload.subarray(off, end)), { ...o, nextHeader: 44 }));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Link layers
// ---------------------------------------------------------------------------------------------

export const MAC_A = [0x02, 0, 0, 0, 0, 0x0a];
export const MAC_B = [0x02, 0, 0, 0, 0, 0x0b];

/** Ethernet II; `tags` are [TPID, TCI] pairs written outermost first. */
export function ethernet(etherType: number, payload: Uint8Array, tags: [number, number][] = []): Uint8Array {
  const w = new ByteWriter(false).bytes(MAC_B).bytes(MAC_A);
  for (const [tpid, tci] of tags) w.u16(tpid).u16(tci);
  return w.u16(etherType).bytes(payload).out();
}

/** Linux cooked v1 header (packet type 0 = to us, ARPHRD_ETHER). */
export function sll(protocol: number, payload: Uint8Array, hatype = 1): Uint8Array {
  return new ByteWriter(false).u16(0).u16(hatype).u16(6).bytes([...MAC_A, 0, 0]).u16(protocol).bytes(payload).out();
}

/** Linux cooked v2 header. */
export function sll2(protocol: number, payload: Uint8Array, hatype = 1): Uint8Array {
  return new ByteWriter(false).u16(protocol).u16(0).u32(2).u16(hatype).u8(0).u8(6).bytes([...MAC_A, 0, 0]).bytes(payload).out();
}

/** BSD loopback header: address family as 4 bytes in the given byte order. */
export function nullLink(family: number, payload: Uint8Array, le: boolean): Uint8Array {
  return new ByteWriter(le).u32(family).bytes(payload).out();
}

/** Splits bytes into chunks of `size` (the last may be shorter). */
export function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, Math.min(bytes.length, i + size)));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading back
// ---------------------------------------------------------------------------------------------

export interface ReadResult {
  frames: RawFrame[];
  problems: Problem[];
}

/** Reads `bytes` pushed in chunks of `chunkSize` (0: one chunk), copying each frame's data. */
export function readCapture(format: CaptureFormat, bytes: Uint8Array, chunkSize = 0): ReadResult {
  const frames: RawFrame[] = [];
  const problems: Problem[] = [];
  const reader = createCaptureReader(format, {
    frame: (f) => frames.push({ ...f, data: f.data.slice() }),
    problem: (p) => problems.push(p),
  });
  for (const c of chunkSize ? chunks(bytes, chunkSize) : [bytes]) reader.push(c);
  reader.end();
  return { frames, problems };
}

/** Reads in one chunk and in chunks of 1, 2, 3, 7, 13, 64 and 1000 bytes; asserts one result. */
export function readEveryWay(format: CaptureFormat, bytes: Uint8Array): ReadResult {
  const whole = readCapture(format, bytes);
  for (const size of [1, 2, 3, 7, 13, 64, 1000]) assert.deepEqual(readCapture(format, bytes, size), whole, `chunk size ${size}`);
  return whole;
}

export interface Decoded {
  udp: TransportPayload[];
  tcp: TcpSegment[];
  problems: Problem[];
}

/** A frame for `decodeFrames`: missing fields default to frame i+1, ts 1000+i s, fileOffset 1000*(i+1). */
export type FrameIn = Partial<RawFrame> & { data: Uint8Array; linkType: number };

/** Runs frames through a PacketDecoder (then `end()`), copying every emitted payload. */
export function decodeFrames(frames: FrameIn[], opts?: PacketDecoderOptions): Decoded {
  const out: Decoded = { udp: [], tcp: [], problems: [] };
  const dec = new PacketDecoder({
    udp: (p) => out.udp.push({ ...p, data: p.data.slice() }),
    tcp: (s) => out.tcp.push({ ...s, data: s.data.slice() }),
    problem: (p) => out.problems.push(p),
  }, opts);
  frames.forEach((f, i) => dec.frame({ frame: i + 1, ts: { sec: 1000 + i, nsec: 0 }, origLen: f.data.length, fileOffset: 1000 * (i + 1), interfaceId: 0, ...f }));
  dec.end();
  return out;
}

// ---------------------------------------------------------------------------------------------
// tshark as the reference
// ---------------------------------------------------------------------------------------------

export const tsharkPresent = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;

/** `tshark -r file [extra] -T fields -e f1 -e f2 ...`, one tab-separated line per frame. */
export function tsharkFields(file: string, fields: string[], extra: string[] = []): Promise<string[]> {
  const args = ['-r', file, ...extra, '-T', 'fields'];
  for (const f of fields) args.push('-e', f);
  return new Promise((resolve, reject) => {
    execFile('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 28 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(stdout.split('\n').filter((l) => l.length > 0));
    });
  });
}

/** Runs `fn` over `items` with at most `limit` running at once; results in input order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

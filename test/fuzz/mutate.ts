/**
 * Seeded mutators for the fuzzer: generic byte havoc (AFL-style bit flips, interesting values,
 * block insert/delete/duplicate, splicing) plus structure-aware corruption aimed at the length
 * fields a reader must not trust: pcap record headers and snaplen, pcapng block lengths and
 * trailers, interface ids, link types, IPv4/IPv6/UDP lengths, fragment fields, TCP sequence
 * numbers and data offsets, and the SIP text itself (Content-Length, header lines, line ends,
 * NUL, invalid UTF-8, folding) inside captured packets or log lines.
 */
import { Rng } from './rng';

/** Inputs never grow beyond this, so that one input stays cheap. */
export const MAX_MUTANT_BYTES = 2 * 1024 * 1024;

const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xff, 0x0d, 0x0a, 0x20, 0x3a, 0x3b, 0x22, 0x5c];
const INTERESTING_16 = [0, 1, 8, 0x7fff, 0x8000, 0xffff, 20, 40, 64, 1500, 65507, 65535];
const INTERESTING_32 = [0, 1, 4, 12, 16, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffc, 262144, 262145, 65535, 16 * 1024 * 1024 + 4];

/** Tokens a SIP/log reader branches on. */
export const DICTIONARY = [
  '\r\n', '\r\n\r\n', '\n', '\r', '\n\n', ' ', '\t', '\r\n ', '\r\n\t', '\0', '\xff', '\xc3', '\xe2\x82', '\xef\xbb\xbf',
  'SIP/2.0', 'SIP/2.0 200 OK\r\n', 'SIP/2.0 401 Unauthorized\r\n', 'REGISTER sip:ims.example.net SIP/2.0\r\n', 'INVITE ', 'sip:', 'sips:', 'tel:',
  'Content-Length: ', 'Content-Length: 0\r\n', 'Content-Length: 4294967295\r\n', 'l: ', 'Via: SIP/2.0/UDP ', 'Via: SIP/2.0/TCP ', ';branch=z9hG4bK',
  'Contact: ', 'm: ', 'To: ', 'From: ', 'Call-ID: ', 'CSeq: 1 REGISTER\r\n', 'Expires: ', ';expires=', ';q=', ';tag=', ';lr', ';+g.oma.sip-im',
  'Authorization: Digest ', 'username="', 'WWW-Authenticate: Digest realm="x", nonce="', '<', '>', '"', '\\', '%00', '%', '[', ']', '[::1]', '::', '@', ':',
  ';', ',', '=', '?', '&', '*', '(', ')', '4294967295', '4294967296', '99999999999999999999', '-1', '0',
  '\x1b[31m', '--------------- 2024-01-01 10:00:00.000000', 'UDP message received [512] bytes :', 'recv 512 bytes from udp:192.0.2.1:5060 at ',
  '<--- Received SIP request (512 bytes) from UDP:192.0.2.1:5060 --->', 'Session Initiation Protocol (REGISTER)', '#015#012', '====================', 'tag: rcv',
];

function u8(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

const DICT_BYTES = DICTIONARY.map(u8);

function splice(b: Uint8Array, at: number, del: number, ins: Uint8Array): Uint8Array {
  at = Math.max(0, Math.min(at, b.length));
  del = Math.max(0, Math.min(del, b.length - at));
  const out = new Uint8Array(b.length - del + ins.length);
  out.set(b.subarray(0, at), 0);
  out.set(ins, at);
  out.set(b.subarray(at + del), at + ins.length);
  return out;
}

function setU16(b: Uint8Array, o: number, v: number, le: boolean): void {
  if (o < 0 || o + 2 > b.length) return;
  if (le) { b[o] = v & 0xff; b[o + 1] = (v >>> 8) & 0xff; } else { b[o] = (v >>> 8) & 0xff; b[o + 1] = v & 0xff; }
}

function setU32(b: Uint8Array, o: number, v: number, le: boolean): void {
  if (o < 0 || o + 4 > b.length) return;
  v >>>= 0;
  if (le) { b[o] = v & 0xff; b[o + 1] = (v >>> 8) & 0xff; b[o + 2] = (v >>> 16) & 0xff; b[o + 3] = v >>> 24; }
  else { b[o] = v >>> 24; b[o + 1] = (v >>> 16) & 0xff; b[o + 2] = (v >>> 8) & 0xff; b[o + 3] = v & 0xff; }
}

function getU32(b: Uint8Array, o: number, le: boolean): number {
  return le ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0 : ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Generic havoc
// ---------------------------------------------------------------------------------------------

/** One generic mutation. `other` is another seed to splice from. */
export function mutateBytes(rng: Rng, b: Uint8Array, other?: Uint8Array): Uint8Array {
  if (b.length === 0) return rng.pick(DICT_BYTES).slice();
  const at = rng.int(b.length);
  switch (rng.int(13)) {
    case 0: {
      const c = b.slice();
      c[at] ^= 1 << rng.int(8);
      return c;
    }
    case 1: {
      const c = b.slice();
      c[at] = rng.int(256);
      return c;
    }
    case 2: {
      const c = b.slice();
      c[at] = rng.pick(INTERESTING_8);
      return c;
    }
    case 3: {
      const c = b.slice();
      setU16(c, at, rng.pick(INTERESTING_16), rng.chance(0.5));
      return c;
    }
    case 4: {
      const c = b.slice();
      setU32(c, at, rng.pick(INTERESTING_32), rng.chance(0.5));
      return c;
    }
    case 5: {
      const c = b.slice();
      c[at] = (c[at] + rng.range(-35, 35)) & 0xff;
      return c;
    }
    case 6:
      return splice(b, at, rng.skewed(Math.min(4096, b.length - at)), new Uint8Array(0));
    case 7: {
      const n = rng.skewed(64);
      const ins = new Uint8Array(n);
      for (let i = 0; i < n; i++) ins[i] = rng.int(256);
      return splice(b, at, 0, ins);
    }
    case 8: {
      const from = rng.int(b.length);
      const n = rng.skewed(Math.min(2048, b.length - from));
      return splice(b, at, 0, b.slice(from, from + n));
    }
    case 9:
      return splice(b, at, rng.chance(0.5) ? rng.skewed(8) : 0, rng.pick(DICT_BYTES));
    case 10:
      return b.slice(0, rng.int(b.length + 1));
    case 11: {
      if (!other || other.length === 0) return splice(b, at, 0, rng.pick(DICT_BYTES));
      const from = rng.int(other.length);
      const n = rng.skewed(Math.min(4096, other.length - from));
      return splice(b, at, rng.skewed(Math.min(64, b.length - at)), other.slice(from, from + n));
    }
    default: {
      // Overwrite a run with one repeated byte (long lines of one character, runs of NUL).
      const c = b.slice();
      const n = rng.skewed(Math.min(512, c.length - at));
      c.fill(rng.pick([0, 0x20, 0x41, 0x0a, 0x0d, 0xff, 0x3b, 0x2c]), at, at + n);
      return c;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// pcap
// ---------------------------------------------------------------------------------------------

interface PcapLayout {
  le: boolean;
  recordHeader: number;
  /** Offset of each record header; data follows. */
  records: { at: number; incl: number }[];
}

export function pcapLayout(b: Uint8Array): PcapLayout | undefined {
  if (b.length < 24) return undefined;
  const be = getU32(b, 0, false);
  const le = getU32(b, 0, true);
  const isMagic = (m: number) => m === 0xa1b2c3d4 || m === 0xa1b23c4d || m === 0xa1b2cd34;
  let little: boolean;
  if (isMagic(be)) little = false;
  else if (isMagic(le)) little = true;
  else return undefined;
  const recordHeader = (little ? le : be) === 0xa1b2cd34 ? 24 : 16;
  const records: { at: number; incl: number }[] = [];
  let p = 24;
  while (p + recordHeader <= b.length && records.length < 100000) {
    const incl = getU32(b, p + 8, little);
    records.push({ at: p, incl });
    if (p + recordHeader + incl > b.length) break;
    p += recordHeader + incl;
  }
  return { le: little, recordHeader, records };
}

function mutatePcap(rng: Rng, b: Uint8Array): Uint8Array {
  const lay = pcapLayout(b);
  if (!lay) return mutateBytes(rng, b);
  const c = b.slice();
  const rec = lay.records.length ? rng.pick(lay.records) : undefined;
  switch (rng.int(10)) {
    case 0: // snaplen
      setU32(c, 16, rng.pick([0, 1, 64, 65535, 262144, 0x7fffffff, 0xffffffff, rng.u32()]), lay.le);
      return c;
    case 1: // link type (FCS bits included)
      setU32(c, 20, rng.pick([0, 1, 12, 14, 101, 108, 113, 147, 228, 229, 276, 0xffff, rng.int(300), 0x10000001]), lay.le);
      return c;
    case 2: // version
      setU16(c, 4, rng.pick([0, 1, 2, 3, 0xffff]), lay.le);
      return c;
    case 3: // captured length
      if (rec) setU32(c, rec.at + 8, rng.pick([0, 1, rec.incl - 1, rec.incl + 1, rec.incl + 4096, 262144, 262145, 300000, 16 * 1024 * 1024, 0x7fffffff, 0xffffffff]), lay.le);
      return c;
    case 4: // original length
      if (rec) setU32(c, rec.at + 12, rng.pick([0, 1, rec.incl - 1, rec.incl + 100, 0xffffffff]), lay.le);
      return c;
    case 5: // timestamp fraction out of range
      if (rec) setU32(c, rec.at + 4, rng.pick([999999, 1000000, 999999999, 1000000000, 0xffffffff]), lay.le);
      return c;
    case 6: // truncate at or near a record boundary
      if (rec) return b.slice(0, Math.max(0, rec.at + rng.range(-4, lay.recordHeader + 4)));
      return b.slice(0, rng.int(24));
    case 7: { // duplicate a record (retransmissions, duplicate fragments)
      if (!rec) return c;
      const end = Math.min(b.length, rec.at + lay.recordHeader + rec.incl);
      return splice(b, rng.chance(0.5) ? end : rng.pick(lay.records).at, 0, b.slice(rec.at, end));
    }
    case 8: { // drop a record
      if (!rec) return c;
      return splice(b, rec.at, lay.recordHeader + rec.incl, new Uint8Array(0));
    }
    default: // mutate inside one packet, keeping the record lengths in step
      if (rec) return mutatePacketInRecord(rng, b, rec.at, lay.recordHeader, lay.le, getU32(b, 20, lay.le) & 0xffff);
      return c;
  }
}

/** Rewrites one record's data and fixes its captured/original lengths. */
function mutatePacketInRecord(rng: Rng, b: Uint8Array, at: number, hdr: number, le: boolean, linkType: number): Uint8Array {
  const incl = getU32(b, at + 8, le);
  const start = at + hdr;
  const end = Math.min(b.length, start + incl);
  const data = b.slice(start, end);
  const next = mutatePacket(rng, data, linkType);
  const out = splice(b, start, end - start, next);
  setU32(out, at + 8, next.length, le);
  setU32(out, at + 12, Math.max(next.length, getU32(b, at + 12, le) + (next.length - data.length)), le);
  return out;
}

// ---------------------------------------------------------------------------------------------
// pcapng
// ---------------------------------------------------------------------------------------------

interface Block {
  at: number;
  type: number;
  total: number;
}

export function pcapngBlocks(b: Uint8Array): { le: boolean; blocks: Block[] } | undefined {
  if (b.length < 12 || getU32(b, 0, true) !== 0x0a0d0d0a) return undefined;
  let le = getU32(b, 8, true) === 0x1a2b3c4d;
  const blocks: Block[] = [];
  let p = 0;
  while (p + 12 <= b.length && blocks.length < 100000) {
    if (getU32(b, p, true) === 0x0a0d0d0a) le = getU32(b, p + 8, true) === 0x1a2b3c4d;
    const type = getU32(b, p, le);
    const total = getU32(b, p + 4, le);
    blocks.push({ at: p, type, total });
    if (total < 12 || total % 4 !== 0 || p + total > b.length) break;
    p += total;
  }
  return { le, blocks };
}

function mutatePcapng(rng: Rng, b: Uint8Array): Uint8Array {
  const lay = pcapngBlocks(b);
  if (!lay || lay.blocks.length === 0) return mutateBytes(rng, b);
  const le = lay.le;
  const blk = rng.pick(lay.blocks);
  const c = b.slice();
  switch (rng.int(10)) {
    case 0: // leading length
      setU32(c, blk.at + 4, rng.pick([0, 4, 8, 12, 13, 16, blk.total - 4, blk.total + 4, blk.total + 2, 0x100000, 16 * 1024 * 1024, 16 * 1024 * 1024 + 4, 0xfffffffc, 0xffffffff]), le);
      return c;
    case 1: // trailing length
      if (blk.at + blk.total <= b.length) setU32(c, blk.at + blk.total - 4, rng.pick([0, blk.total + 4, blk.total - 4, 0xffffffff]), le);
      return c;
    case 2: // block type
      setU32(c, blk.at, rng.pick([1, 2, 3, 5, 6, 9, 0xbad, 0x40000bad, 0x204, 0x0a0d0d0a, 0x12345678, 0]), le);
      return c;
    case 3: // interface id / link type
      if (blk.type === 6 || blk.type === 2) setU32(c, blk.at + 8, rng.pick([0, 1, 2, 7, 0xffff, 0xffffffff]), le);
      else if (blk.type === 1) setU16(c, blk.at + 8, rng.pick([0, 1, 101, 147, 228, 229, 276, 0xffff]), le);
      else setU32(c, blk.at + 8, rng.u32(), le);
      return c;
    case 4: // EPB captured length / original length, IDB snaplen, if_tsresol
      if (blk.type === 6) setU32(c, blk.at + (rng.chance(0.5) ? 20 : 24), rng.pick([0, 1, blk.total, blk.total - 31, 0xffffffff, 262145]), le);
      else if (blk.type === 1) {
        if (rng.chance(0.5)) setU32(c, blk.at + 12, rng.pick([0, 1, 0xffffffff]), le);
        else if (blk.total > 24) { setU16(c, blk.at + 16, 9, le); setU16(c, blk.at + 18, 1, le); c[blk.at + 20] = rng.pick([0, 3, 6, 9, 19, 20, 63, 64, 0x80, 0x8a, 0xbf, 0xff]); }
      } else if (blk.type === 3) setU32(c, blk.at + 8, rng.pick([0, 0xffffffff, blk.total]), le);
      return c;
    case 5: // SHB byte order / version
      if (blk.type === 0x0a0d0d0a) {
        if (rng.chance(0.5)) setU32(c, blk.at + 8, rng.pick([0x4d3c2b1a, 0x1a2b3c4d, 0]), true);
        else setU16(c, blk.at + 12, rng.pick([0, 2, 0xffff]), le);
      }
      return c;
    case 6: // truncate
      return b.slice(0, Math.max(0, blk.at + rng.range(-4, Math.min(blk.total, 64) + 4)));
    case 7: { // duplicate / move a block
      const end = Math.min(b.length, blk.at + blk.total);
      return splice(b, rng.pick(lay.blocks).at, 0, b.slice(blk.at, end));
    }
    case 8: // drop a block (an IDB goes missing, an SHB disappears)
      return splice(b, blk.at, Math.min(blk.total, b.length - blk.at), new Uint8Array(0));
    default: { // mutate the packet of an EPB, keeping its lengths in step
      const epbs = lay.blocks.filter((x) => x.type === 6 && x.at + x.total <= b.length && x.total >= 32);
      if (epbs.length === 0) return mutateBytes(rng, b);
      const e = rng.pick(epbs);
      const cap = getU32(b, e.at + 20, le);
      if (28 + cap > e.total - 4) return c;
      const data = b.slice(e.at + 28, e.at + 28 + cap);
      const next = mutatePacket(rng, data, 1);
      const padded = (next.length + 3) & ~3;
      const body = new Uint8Array(padded);
      body.set(next);
      // options after the packet are dropped: the block ends after the padded data
      const total = 28 + padded + 4;
      const blockBytes = new Uint8Array(total);
      blockBytes.set(b.subarray(e.at, e.at + 28));
      blockBytes.set(body, 28);
      setU32(blockBytes, 4, total, le);
      setU32(blockBytes, 20, next.length, le);
      setU32(blockBytes, 24, Math.max(next.length, getU32(b, e.at + 24, le)), le);
      setU32(blockBytes, total - 4, total, le);
      return splice(b, e.at, e.total, blockBytes);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Packets (link + IP + UDP/TCP + SIP payload)
// ---------------------------------------------------------------------------------------------

/** Offset of the IP header in a frame of this link type, or -1. */
function ipOffset(d: Uint8Array, linkType: number): number {
  switch (linkType) {
    case 1: {
      let p = 12;
      while (p + 2 <= d.length && (d[p] === 0x81 && d[p + 1] === 0x00 || d[p] === 0x88 && d[p + 1] === 0xa8)) p += 4;
      return p + 2 <= d.length ? p + 2 : -1;
    }
    case 0:
    case 108:
      return 4;
    case 113:
      return 16;
    case 276:
      return 20;
    case 101:
    case 12:
    case 14:
    case 228:
    case 229:
      return 0;
    default:
      return -1;
  }
}

/** Mutates one captured frame: its IP/UDP/TCP fields, or its SIP payload (lengths kept in step). */
export function mutatePacket(rng: Rng, d: Uint8Array, linkType: number): Uint8Array {
  const ip = ipOffset(d, linkType);
  if (ip < 0 || ip >= d.length) return mutateBytes(rng, d);
  const v = d[ip] >> 4;
  let l4 = -1;
  let proto = -1;
  if (v === 4 && ip + 20 <= d.length) {
    l4 = ip + (d[ip] & 0x0f) * 4;
    proto = d[ip + 9];
  } else if (v === 6 && ip + 40 <= d.length) {
    l4 = ip + 40;
    proto = d[ip + 6];
  }
  const c = d.slice();
  const choice = rng.int(10);
  if (l4 < 0 || choice < 3) {
    // IP header fields
    if (v === 4 && ip + 20 <= d.length) {
      switch (rng.int(6)) {
        case 0: setU16(c, ip + 2, rng.pick([0, 1, 19, 20, 21, d.length - ip + 1, d.length - ip - 1, 0xffff]), false); break;
        case 1: c[ip] = 0x40 | rng.pick([0, 4, 5, 6, 15]); break;
        case 2: setU16(c, ip + 6, rng.pick([0x2000, 0x2001, 0x0001, 0x1fff, 0x3fff, 0x4000, rng.int(0x10000)]), false); break;
        case 3: c[ip + 9] = rng.pick([4, 6, 17, 41, 47, 50, 132, 0]); break;
        case 4: setU16(c, ip + 4, rng.int(0x10000), false); break;
        default: c[ip] = rng.pick([0x45, 0x60, 0x00, 0xff]); break;
      }
    } else if (v === 6 && ip + 40 <= d.length) {
      switch (rng.int(3)) {
        case 0: setU16(c, ip + 4, rng.pick([0, 1, 8, d.length - ip - 40 + 8, 0xffff]), false); break;
        case 1: c[ip + 6] = rng.pick([0, 6, 17, 43, 44, 51, 59, 60, 4, 41, 47]); break;
        default: c[ip + 40 < c.length ? ip + 41 : ip] = rng.int(256); break;
      }
    } else return mutateBytes(rng, d);
    return c;
  }
  if (choice < 5) {
    if (proto === 17 && l4 + 8 <= d.length) {
      setU16(c, l4 + 4, rng.pick([0, 1, 7, 8, 9, d.length - l4 + 1, 0xffff]), false);
      return c;
    }
    if (proto === 6 && l4 + 20 <= d.length) {
      switch (rng.int(4)) {
        case 0: setU32(c, l4 + 4, (getU32(d, l4 + 4, false) + rng.pick([-1, 1, -100, 100, 0x7fffffff, 0x80000000, rng.u32()])) >>> 0, false); break;
        case 1: c[l4 + 12] = rng.pick([0, 0x40, 0x50, 0x60, 0xf0]); break;
        case 2: c[l4 + 13] = rng.pick([0x02, 0x12, 0x01, 0x11, 0x04, 0x14, 0x18, 0x10, 0x03, 0xff]); break;
        default: setU16(c, l4 + (rng.chance(0.5) ? 0 : 2), rng.pick([5060, 5061, 80, 0, 65535]), false); break;
      }
      return c;
    }
    return mutateBytes(rng, d);
  }
  // The SIP payload: text mutations, then the IP and UDP lengths follow the new size.
  const payloadAt = proto === 17 ? l4 + 8 : proto === 6 && l4 + 20 <= d.length ? l4 + ((d[l4 + 12] >> 4) * 4) : -1;
  if (payloadAt < 0 || payloadAt > d.length) return mutateBytes(rng, d);
  const payload = d.subarray(payloadAt);
  const next = mutateSipText(rng, payload);
  const out = splice(d, payloadAt, payload.length, next);
  const delta = next.length - payload.length;
  if (v === 4) setU16(out, ip + 2, Math.min(0xffff, Math.max(0, ((d[ip + 2] << 8) | d[ip + 3]) + delta)), false);
  else if (v === 6) setU16(out, ip + 4, Math.min(0xffff, Math.max(0, ((d[ip + 4] << 8) | d[ip + 5]) + delta)), false);
  if (proto === 17) setU16(out, l4 + 4, Math.min(0xffff, Math.max(0, ((d[l4 + 4] << 8) | d[l4 + 5]) + delta)), false);
  return out;
}

// ---------------------------------------------------------------------------------------------
// SIP text and logs
// ---------------------------------------------------------------------------------------------

function lineStarts(b: Uint8Array): number[] {
  const out = [0];
  for (let i = 0; i < b.length && out.length < 200000; i++) if (b[i] === 0x0a && i + 1 < b.length) out.push(i + 1);
  return out;
}

function lineEnd(b: Uint8Array, from: number): number {
  const lf = b.indexOf(0x0a, from);
  return lf < 0 ? b.length : lf + 1;
}

function findAscii(b: Uint8Array, s: string, caseless = true): number[] {
  const out: number[] = [];
  const n = s.length;
  outer: for (let i = 0; i + n <= b.length && out.length < 64; i++) {
    for (let k = 0; k < n; k++) {
      const x = b[i + k], y = s.charCodeAt(k);
      if (x !== y && !(caseless && (x | 0x20) === (y | 0x20) && y >= 0x61 && y <= 0x7a)) continue outer;
    }
    out.push(i);
  }
  return out;
}

const CL_VALUES = ['4294967295', '4294967296', '0', '1', '-1', '', ' ', '18446744073709551616', '99999999999999999999999', '16777217', '262144', '00000000000000000000000001', '1 1', '0x10', '10\r\n 0'];

/** One mutation of SIP text (a datagram payload, a TCP chunk, a message or a log). */
export function mutateSipText(rng: Rng, b: Uint8Array): Uint8Array {
  const starts = lineStarts(b);
  const ls = rng.pick(starts);
  const le = lineEnd(b, ls);
  switch (rng.int(15)) {
    case 0: { // Content-Length value
      const hits = [...findAscii(b, 'content-length:'), ...findAscii(b, '\nl:').map((x) => x + 1)];
      if (hits.length === 0) return splice(b, ls, 0, u8(`Content-Length: ${rng.pick(CL_VALUES)}\r\n`));
      const h = rng.pick(hits);
      const colon = b.indexOf(0x3a, h);
      let e = colon + 1;
      while (e < b.length && b[e] !== 0x0d && b[e] !== 0x0a) e++;
      return splice(b, colon + 1, e - colon - 1, u8(' ' + rng.pick(CL_VALUES)));
    }
    case 1: // delete a line
      return splice(b, ls, le - ls, new Uint8Array(0));
    case 2: // duplicate a line
      return splice(b, le, 0, b.slice(ls, le));
    case 3: { // a long header line (kept moderate here; the hostile tests do megabytes)
      const n = rng.pick([1000, 4096, 65536, 70000, 200000]);
      const line = new Uint8Array(n + 2);
      line.fill(rng.pick([0x41, 0x3b, 0x2c, 0x20, 0x22, 0x3c]));
      line.set(u8('X-Long: '), 0);
      line[n] = 0x0d;
      line[n + 1] = 0x0a;
      return splice(b, ls, 0, line);
    }
    case 4: { // many header lines
      const count = rng.pick([100, 1000, 12000]);
      const one = u8(rng.pick(['X: y\r\n', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n', 'Contact: <sip:a@b>;expires=1\r\n', 'Route: <sip:p;lr>,<sip:q;lr>\r\n']));
      const block = new Uint8Array(one.length * count);
      for (let i = 0; i < count; i++) block.set(one, i * one.length);
      return splice(b, ls, 0, block);
    }
    case 5: // NUL / invalid UTF-8 / DEL inside a line
      return splice(b, rng.range(ls, Math.max(ls, le - 1)), 0, u8(rng.pick(['\0', '\0\0\0', '\xff\xfe', '\xc3', '\xe2\x82', '\xed\xa0\x80', '\x7f', '\x1b[0m', '\xef\xbb\xbf'])));
    case 6: { // line end styles
      const c = b.slice();
      const crlf = findAscii(c, '\r\n');
      if (crlf.length === 0) return splice(b, le, 0, u8('\r\n'));
      const at = rng.pick(crlf);
      const kind = rng.int(3);
      if (kind === 0) return splice(c, at, 1, new Uint8Array(0)); // bare LF
      if (kind === 1) return splice(c, at + 1, 1, new Uint8Array(0)); // bare CR
      return splice(c, at, 2, u8('\r\n ')); // fold the next line into this one
    }
    case 7: { // remove / add the empty line that ends the header section
      const hits = findAscii(b, '\r\n\r\n');
      if (hits.length && rng.chance(0.6)) return splice(b, rng.pick(hits), 2, new Uint8Array(0));
      return splice(b, le, 0, u8('\r\n'));
    }
    case 8: // a header with a hostile value
      return splice(b, ls, 0, u8(rng.pick([
        'Contact: *\r\n', 'Contact: ,,,,\r\n', 'Contact: <sip:[::1\r\n', 'Contact: "unterminated <sip:a@b>\r\n', 'Via: SIP/2.0/UDP [::1]:99999999;branch\r\n',
        'CSeq: 99999999999999999999 REGISTER\r\n', 'Expires: 4294967296\r\n', 'Max-Forwards: -1\r\n', 'To: <sip:a@b>;tag=1;tag=2\r\n', 'From: \r\n',
        'Authorization: Digest ,,,=,=\r\n', 'WWW-Authenticate: Digest realm="\\\r\n', 'User-Agent: (((((((((((((\r\n', 'Date: Sun, 99 Foo 2024 99:99:99 EST\r\n',
        'Warning: 999 \r\n', 'Call-ID: \r\n', ': empty name\r\n', 'No colon here\r\n', ' leading continuation\r\n', 'Contact: <sip:a@b;' + ';x'.repeat(2000) + '>\r\n',
        'Accept: */*;q=2;q=;q\r\n', 'Content-Type: ;;;/\r\n', 'Retry-After: 5 (comment (nested) ;x=1\r\n', 'Supported: ,\r\n', 'Event: ;\r\n',
      ])));
    case 9: { // start line
      const first = starts[0];
      const e = lineEnd(b, first);
      return splice(b, first, e - first, u8(rng.pick([
        'REGISTER sip:ims.example.net SIP/2.0\r\n', 'SIP/2.0 200 OK\r\n', 'SIP/2.0 4294967301 Big\r\n', 'SIP/2.0 200\r\n', 'REGISTER  sip:a  SIP/2.0  \r\n',
        'REGISTER <sip:a> SIP/2.0\r\n', 'REGISTER sip:[::1 SIP/2.0\r\n', 'register sip:a sip/2.0\r\n', 'SIP/7.0 100 Trying\r\n', '\r\n', 'GET / HTTP/1.1\r\n',
      ])));
    }
    case 10: // dictionary token at a random place
      return splice(b, rng.int(b.length + 1), rng.chance(0.3) ? rng.skewed(4) : 0, rng.pick(DICT_BYTES));
    case 11: { // swap two lines
      const ls2 = rng.pick(starts);
      const le2 = lineEnd(b, ls2);
      if (ls2 <= ls) return b.slice();
      if (ls2 < le) return b.slice();
      const a = b.slice(ls, le), c2 = b.slice(ls2, le2);
      return splice(splice(b, ls2, le2 - ls2, a), ls, le - ls, c2);
    }
    case 13: { // a run of one token in front of a line, or inside it (regexes over whole lines)
      const unit = rng.pick(['a ', '1:', '1 ', '\x1b[1m', ' ', '\t', '0x1f ', '#012', '(', '<', ';', ',', 'sip:', 'SIP/2.0 ', '"', '\\', '%', '[1] ', 'Jan ']);
      const n = rng.pick([50, 500, 3000, 12000]);
      const at = rng.chance(0.5) ? ls : rng.range(ls, Math.max(ls, le - 1));
      return splice(b, at, 0, u8(unit.repeat(n)));
    }
    case 12: { // binary garbage line (logs)
      const n = rng.skewed(300) + 1;
      const g = new Uint8Array(n + 1);
      for (let i = 0; i < n; i++) g[i] = rng.int(256);
      g[n] = 0x0a;
      return splice(b, ls, 0, g);
    }
    default:
      return mutateBytes(rng, b);
  }
}

export type InputKind = 'pcap' | 'pcapng' | 'text';

export function kindOf(b: Uint8Array): InputKind {
  if (pcapLayout(b)) return 'pcap';
  if (b.length >= 4 && getU32(b, 0, true) === 0x0a0d0d0a) return 'pcapng';
  return 'text';
}

/** One structure-aware or generic mutation, by what the input is. */
export function mutateOnce(rng: Rng, b: Uint8Array, other?: Uint8Array): Uint8Array {
  const kind = kindOf(b);
  const r = rng.float();
  if (kind === 'pcap') return r < 0.7 ? mutatePcap(rng, b) : mutateBytes(rng, b, other);
  if (kind === 'pcapng') return r < 0.7 ? mutatePcapng(rng, b) : mutateBytes(rng, b, other);
  return r < 0.75 ? mutateSipText(rng, b) : mutateBytes(rng, b, other);
}

/** 1..`max` stacked mutations; the result never exceeds MAX_MUTANT_BYTES. */
export function havoc(rng: Rng, b: Uint8Array, other?: Uint8Array, max = 6): Uint8Array {
  let out = b;
  const n = 1 + rng.skewed(max - 1);
  for (let i = 0; i < n; i++) {
    const next = mutateOnce(rng, out, other);
    if (next.length <= MAX_MUTANT_BYTES) out = next;
  }
  return out === b ? b.slice() : out;
}

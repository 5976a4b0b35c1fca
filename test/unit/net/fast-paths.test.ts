/**
 * The trace engine's fast paths (docs/performance.md) give exactly what the plain paths give:
 * FrameSink.frameAt + PacketDecoder.frameAt versus RawFrame objects, the UDP pre-filter
 * (datagramMayBeSip) versus SipExtractor.udp seeing every datagram, and latin1's ASCII shortcut
 * versus decoding byte by byte. Checked over every fixture capture and the public corpus, with
 * every capture also fed in small chunks so that frames cross chunk boundaries.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { createCaptureReader } from '../../../src/core/capture/index';
import { detectFormat } from '../../../src/core/capture/detect';
import { latin1 } from '../../../src/core/bytes';
import { PacketDecoder } from '../../../src/core/net/decode';
import { datagramMayBeSip, SipExtractor } from '../../../src/core/net/sipExtractor';
import type { Problem, SipPdu, TcpSegment, TransportPayload } from '../../../src/core/types';
import { corpusPresent, corpusRoot, fixturesRoot, listFiles } from '../../helpers/paths';

const isCapture = (n: string): boolean => /\.(pcap|pcapng|cap)$/.test(n);

function captures(): string[] {
  return [...listFiles(path.join(fixturesRoot, 'captures'), isCapture), ...(corpusPresent ? listFiles(path.join(corpusRoot, 'pcap'), isCapture) : [])];
}

function formatOf(bytes: Uint8Array): 'pcap' | 'pcapng' | undefined {
  const f = detectFormat(bytes.subarray(0, 64));
  return f === 'pcap' || f === 'pcapng' ? f : undefined;
}

function feed(reader: { push(c: Uint8Array): void; end(): void }, bytes: Uint8Array, chunk: number): void {
  for (let o = 0; o < bytes.length; o += chunk) reader.push(bytes.subarray(o, Math.min(bytes.length, o + chunk)));
  reader.end();
}

function payloadRecord(kind: string, p: TransportPayload | TcpSegment): unknown {
  return { kind, ...p, data: Array.from(p.data) };
}

/** Everything the decoder emits for a capture, through RawFrame objects or through frameAt. */
function decodeAll(bytes: Uint8Array, format: 'pcap' | 'pcapng', fast: boolean, chunk: number): unknown[] {
  const out: unknown[] = [];
  const decoder = new PacketDecoder({
    udp: (p) => out.push(payloadRecord('udp', p)),
    tcp: (s) => out.push(payloadRecord('tcp', s)),
    problem: (p) => out.push({ kind: 'problem', ...p }),
  });
  const reader = createCaptureReader(format, {
    frame: (f) => decoder.frame(f),
    frameAt: fast ? (b, s, e, fr, l, sec, ns, o, fo, i) => decoder.frameAt(b, s, e, fr, l, sec, ns, o, fo, i) : undefined,
    problem: (p) => out.push({ kind: 'reader-problem', ...p }),
  });
  feed(reader, bytes, chunk);
  decoder.end();
  return out;
}

/** SIP PDUs and problems of a capture, with or without the decoder's UDP pre-filter. */
function extractAll(bytes: Uint8Array, format: 'pcap' | 'pcapng', filtered: boolean): { pdus: unknown[]; problems: Problem[] } {
  const pdus: unknown[] = [];
  const problems: Problem[] = [];
  const extractor = new SipExtractor({ pdu: (p: SipPdu) => pdus.push({ ...p, bytes: Array.from(p.bytes) }), problem: (p) => problems.push(p) });
  const decoder = new PacketDecoder(
    { udp: (p) => extractor.udp(p), tcp: (s) => extractor.tcp(s), problem: (p) => problems.push(p) },
    filtered ? { udpFilter: datagramMayBeSip } : {},
  );
  const reader = createCaptureReader(format, { frame: (f) => decoder.frame(f), problem: (p) => problems.push(p) });
  feed(reader, bytes, 1 << 20);
  decoder.end();
  extractor.end();
  return { pdus, problems };
}

test('frameAt: the decoder emits the same payloads and problems as with RawFrame objects', () => {
  const files = captures();
  assert.ok(files.length >= 40, `${files.length} captures`);
  for (const file of files) {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const format = formatOf(bytes);
    if (!format) continue;
    const plain = decodeAll(bytes, format, false, 1 << 20);
    assert.deepEqual(decodeAll(bytes, format, true, 1 << 20), plain, file);
    // Small chunks: records assembled in the reader's carry buffer, not read in place.
    assert.deepEqual(decodeAll(bytes, format, true, 97), plain, `${file} in 97-byte chunks`);
  }
});

test('udpFilter: dropping what datagramMayBeSip rejects changes no SIP message and no problem', () => {
  let pdus = 0;
  for (const file of captures()) {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const format = formatOf(bytes);
    if (!format) continue;
    const all = extractAll(bytes, format, false);
    assert.deepEqual(extractAll(bytes, format, true), all, file);
    pdus += all.pdus.length;
  }
  assert.ok(pdus > 300, `${pdus} SIP messages compared`);
});

test('datagramMayBeSip: SIP start lines after CRLFs pass; RTP, DNS, TLS, keep-alives and HTTP do not', () => {
  const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
  const yes = (s: string): boolean => datagramMayBeSip(bytes(s), 0, s.length);
  assert.equal(yes('REGISTER sip:example.com SIP/2.0\r\nVia: x\r\n\r\n'), true);
  assert.equal(yes('\r\n\r\nSIP/2.0 200 OK\r\n\r\n'), true);
  assert.equal(yes('\x80\x08\x12\x34rtp payload'), false);
  assert.equal(yes('\x16\x03\x01\x00\xc8'), false);
  assert.equal(yes('\r\n\r\n'), false);
  assert.equal(yes('GET / HTTP/1.1\r\nHost: a\r\n\r\n'), false);
  // Only [start, end) is looked at: the bytes before it do not make it SIP.
  const buf = bytes('\x80\x00OPTIONS sip:a SIP/2.0\r\n\r\n\x00');
  assert.equal(datagramMayBeSip(buf, 2, buf.length - 2), true);
  assert.equal(datagramMayBeSip(buf, 0, buf.length), false);
});

test('latin1: the ASCII shortcut and the byte-by-byte decoding agree, high bytes included', () => {
  const slow = (b: Uint8Array, s: number, e: number): string => {
    let out = '';
    for (let i = s; i < e; i++) out += String.fromCharCode(b[i]);
    return out;
  };
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
  for (let n = 0; n < 400; n++) {
    const len = Math.floor(rnd() * 3000);
    const b = new Uint8Array(len);
    // Mostly ASCII, sometimes one high byte (0x80-0xff, including 0x80-0x9f and a UTF-8 BOM).
    for (let i = 0; i < len; i++) b[i] = 0x20 + Math.floor(rnd() * 0x5f);
    if (len > 3 && n % 3 === 0) b[Math.floor(rnd() * len)] = 0x80 + Math.floor(rnd() * 0x80);
    if (len > 3 && n % 7 === 0) b.set([0xef, 0xbb, 0xbf], 0);
    const s = Math.floor(rnd() * (len + 1));
    const e = s + Math.floor(rnd() * (len - s + 1));
    assert.equal(latin1(b, s, e), slow(b, s, e));
  }
});

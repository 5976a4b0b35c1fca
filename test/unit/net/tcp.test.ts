import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpReassembler, type PduSink, type TcpReassemblyOptions } from '../../../src/core/net/tcp';
import { TcpFlags, type Endpoint, type Problem, type SipPdu, type TcpSegment } from '../../../src/core/types';
import { HANG_GUARD_MS } from '../../helpers/hangGuard';

const A: Endpoint = { ip: '192.0.2.1', port: 49152 };
const B: Endpoint = { ip: '192.0.2.2', port: 5060 };

const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const dec = (b: Uint8Array): string => String.fromCharCode(...b);
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

interface SegOpts {
  flags?: number;
  fileOffset?: number;
  src?: Endpoint;
  dst?: Endpoint;
  /** Capture time in seconds (default: 1000 + frame / 100). */
  t?: number;
}

function seg(frame: number, seq: number, data: string | Uint8Array, o: SegOpts = {}): TcpSegment {
  const t = o.t ?? 1000 + frame / 100;
  const sec = Math.floor(t);
  return {
    frame,
    ts: { sec, nsec: Math.round((t - sec) * 1e9) },
    transport: 'TCP',
    src: o.src ?? A,
    dst: o.dst ?? B,
    data: typeof data === 'string' ? enc(data) : data,
    fileOffset: o.fileOffset,
    seq: seq >>> 0,
    flags: o.flags ?? TcpFlags.ACK,
  };
}

class Collect implements PduSink {
  pdus: SipPdu[] = [];
  problems: Problem[] = [];
  pdu(p: SipPdu): void {
    this.pdus.push(p);
  }
  problem(p: Problem): void {
    this.problems.push(p);
  }
  codes(): string[] {
    return this.problems.map((p) => p.code);
  }
  texts(): string[] {
    return this.pdus.map((p) => dec(p.bytes));
  }
}

function run(segs: TcpSegment[], opts?: TcpReassemblyOptions): Collect {
  const c = new Collect();
  const r = new TcpReassembler(c, opts);
  for (const s of segs) r.segment(s);
  r.end();
  return c;
}

function register(cseq: number, body = ''): string {
  return (
    'REGISTER sip:example.com SIP/2.0\r\n' +
    'Via: SIP/2.0/TCP 192.0.2.1:49152;branch=z9hG4bK' + cseq + '\r\n' +
    'From: <sip:alice@example.com>;tag=a1\r\n' +
    'To: <sip:alice@example.com>\r\n' +
    'Call-ID: reg-1@192.0.2.1\r\n' +
    `CSeq: ${cseq} REGISTER\r\n` +
    'Contact: <sip:alice@192.0.2.1:49152;transport=tcp>\r\n' +
    (body ? 'Content-Type: application/sdp\r\n' : '') +
    `Content-Length: ${body.length}\r\n\r\n` +
    body
  );
}

const OK = 'SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 192.0.2.1:49152;branch=z9hG4bK1\r\nCall-ID: reg-1@192.0.2.1\r\nCSeq: 1 REGISTER\r\nl: 0\r\n\r\n';
const SDP = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';

/** Cuts `s` into consecutive segments starting at `seq`, frames from `frame0`. */
function split(s: string | Uint8Array, sizes: number[], seq: number, frame0: number, o: SegOpts = {}): TcpSegment[] {
  const b = typeof s === 'string' ? enc(s) : s;
  const out: TcpSegment[] = [];
  let off = 0;
  for (let i = 0; off < b.length; i++) {
    const n = Math.min(sizes[Math.min(i, sizes.length - 1)], b.length - off);
    out.push(seg(frame0 + i, (seq + off) >>> 0, b.subarray(off, off + n), o));
    off += n;
  }
  return out;
}

/** Deterministic pseudo-random bytes. */
function junk(n: number, seed: number, keep: (b: number) => boolean = () => true): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; ) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const b = x >>> 24;
    if (keep(b)) out[i++] = b;
  }
  return out;
}

const SYN = TcpFlags.SYN;
const FIN = TcpFlags.FIN | TcpFlags.ACK;
const RST = TcpFlags.RST;

test('two messages and half of a third in one segment; offsets only when contiguous', () => {
  const m1 = register(1);
  const m2 = OK;
  const m3 = register(2, SDP);
  const isn = 7000;
  const c = new Collect();
  const r = new TcpReassembler(c);
  r.segment(seg(1, isn, '', { flags: SYN }));
  r.segment(seg(2, isn + 1, m1 + m2 + m3.slice(0, 40), { fileOffset: 1054 }));
  assert.equal(c.pdus.length, 2, 'the two complete messages are delivered at once');
  r.segment(seg(3, isn + 1 + m1.length + m2.length + 40, m3.slice(40), { fileOffset: 3000 }));
  r.end();
  assert.deepEqual(c.problems, []);
  assert.deepEqual(c.texts(), [m1, m2, m3]);
  assert.deepEqual(
    c.pdus.map((p) => [p.frame, p.frames, p.fileOffset, p.transport]),
    [
      [2, [2], 1054, 'TCP'],
      [2, [2], 1054 + m1.length, 'TCP'],
      [3, [2, 3], undefined, 'TCP'],
    ],
  );
  assert.deepEqual(c.pdus[2].ts, { sec: 1000, nsec: 30000000 });
  assert.deepEqual([c.pdus[0].src, c.pdus[0].dst], [A, B]);
});

test('REGISTER split byte by byte over segments (no SYN, capture starts at a message start)', () => {
  const m = register(1, SDP);
  const segs = split(m, [1], 123456, 1, { fileOffset: 0 });
  assert.equal(segs.length, m.length);
  const c = run(segs);
  assert.deepEqual(c.problems, []);
  assert.deepEqual(c.texts(), [m]);
  assert.equal(c.pdus[0].frame, m.length);
  assert.deepEqual(c.pdus[0].frames, Array.from({ length: m.length }, (_, i) => i + 1));
  assert.equal(c.pdus[0].fileOffset, undefined);
});

test('out-of-order segments and retransmissions: delivered in sequence order at the completing frame', () => {
  const m1 = register(1, SDP);
  const m2 = OK;
  const isn = 0x10000;
  const [p1, p2, p3] = [m1.slice(0, 100), m1.slice(100, 250), m1.slice(250)];
  const s = isn + 1;
  const c = run([
    seg(1, isn, '', { flags: SYN }),
    seg(2, s, p1),
    seg(3, s + 250, p3), // ahead: held
    seg(4, s + 100, p2), // fills the hole: message complete here
    seg(5, s + 100, p2), // retransmission
    seg(6, s + 250, p3), // retransmission
    seg(7, s + 50, m1.slice(50, 200)), // overlapping retransmission
    seg(8, s + m1.length, m2),
  ]);
  assert.deepEqual(c.problems, []);
  assert.deepEqual(c.texts(), [m1, m2]);
  assert.deepEqual(
    c.pdus.map((p) => [p.frame, p.frames]),
    [
      [4, [2, 4, 3]],
      [8, [8]],
    ],
  );
});

test('segment held out of order overlapping another held one; duplicates in the hold are dropped', () => {
  const m = register(3, SDP);
  const s = 500;
  const c = run([
    seg(1, s, m.slice(0, 60)),
    seg(2, s + 200, m.slice(200)),
    seg(3, s + 150, m.slice(150, 260)), // overlaps the held one
    seg(4, s + 200, m.slice(200)), // exact duplicate while held
    seg(5, s + 60, m.slice(60, 150)),
  ]);
  assert.deepEqual(c.problems, []);
  assert.deepEqual(c.texts(), [m]);
  assert.deepEqual(c.pdus[0].frames, [1, 5, 3, 2]);
  assert.equal(c.pdus[0].frame, 5);
});

test('retransmission with different bytes: problem, the first copy is kept', () => {
  const m = register(4);
  const s = 9000;
  const altered = 'X' + m.slice(1, 80);
  const c = run([seg(1, s, m.slice(0, 80)), seg(2, s, altered), seg(3, s + 80, m.slice(80))]);
  assert.deepEqual(c.codes(), ['tcp-overlap-conflict']);
  assert.equal(c.problems[0].frame, 2);
  assert.equal(c.problems[0].severity, 'warning');
  assert.deepEqual(c.texts(), [m]);
  assert.deepEqual(c.pdus[0].frames, [1, 3]);

  // Same, for two copies of a segment held out of order.
  const d = run([seg(1, s, m.slice(0, 40)), seg(2, s + 80, m.slice(80)), seg(3, s + 80, m.slice(80, 90) + 'Y' + m.slice(91)), seg(4, s + 40, m.slice(40, 80))]);
  assert.deepEqual(d.codes(), ['tcp-overlap-conflict']);
  assert.equal(d.problems[0].frame, 3);
  assert.deepEqual(d.texts(), [m]);

  // A stream not (yet) seen to carry SIP is not worth a problem (TLS, bulk data...).
  const tls = new Uint8Array([0x16, 0x03, 0x01, 0x00, 0x10, 1, 2, 3]);
  const e = run([seg(1, s, tls), seg(2, s, tls.map((b) => b ^ 0xff))]);
  assert.deepEqual(e.problems, []);
});

test('capture starts mid-stream inside a body: bytes before the first start line are one problem', () => {
  const tail = 'a=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n';
  const m2 = register(2);
  const c = run([seg(1, 4242, tail + m2, { fileOffset: 600 })]);
  assert.deepEqual(c.codes(), ['tcp-unframed-bytes']);
  assert.equal(c.problems[0].frame, 1);
  assert.equal(c.problems[0].offset, 600);
  assert.match(c.problems[0].message, new RegExp(`^${tail.length} bytes .* frame 1 .*middle of this TCP connection`));
  assert.deepEqual(c.texts(), [m2]);
  assert.deepEqual([c.pdus[0].frame, c.pdus[0].fileOffset], [1, 600 + tail.length]);

  // The rest of the body alone in the first segment, the next message in later ones; the
  // search also copes with a header field cut at the start and a start line cut in two.
  const head = 'nded: x\r\nContent-Length: 0\r\n\r\n';
  const d = run([seg(1, 1, head + tail.slice(0, 5)), seg(2, 1 + head.length + 5, tail.slice(5) + m2.slice(0, 12)), seg(3, 1 + head.length + tail.length + 12, m2.slice(12))]);
  assert.deepEqual(d.codes(), ['tcp-unframed-bytes']);
  assert.equal(d.problems[0].frame, 1);
  assert.match(d.problems[0].message, new RegExp(`^${head.length + tail.length} bytes .* frames 1–2 `));
  assert.deepEqual(d.texts(), [m2]);
  assert.deepEqual(d.pdus[0].frames, [2, 3]);
});

test('CRLF keep-alives (RFC 5626 §4.4.1) are skipped silently, whatever the segmentation', () => {
  const m1 = register(1);
  const m2 = register(2);
  const m3 = register(3);
  const isn = 77;
  let s = isn + 1;
  const segs: TcpSegment[] = [seg(1, isn, '', { flags: SYN })];
  const add = (f: number, d: string): void => {
    segs.push(seg(f, s, d));
    s += d.length;
  };
  add(2, '\r\n\r\n'); // ping before anything
  add(3, m1);
  add(4, '\r\n');
  add(5, '\r');
  add(6, '\n' + m2);
  add(7, '\r\n\r\n' + m3 + '\r\n');
  add(8, '\r\n\r\n');
  const c = run(segs);
  assert.deepEqual(c.problems, []);
  assert.deepEqual(c.texts(), [m1, m2, m3]);
  assert.deepEqual(
    c.pdus.map((p) => p.frame),
    [3, 6, 7],
  );
  assert.deepEqual(c.pdus[1].frames, [6]);
  // Pong in the other direction.
  const pong = run([seg(1, 5, '\r\n', { src: B, dst: A }), seg(2, 7, OK, { src: B, dst: A })]);
  assert.deepEqual(pong.problems, []);
  assert.deepEqual(pong.texts(), [OK]);
});

test('5 MB of binary junk: recognised as not SIP early, memory stays bounded, O(1) afterwards', () => {
  const c = new Collect();
  const probeBytes = 16 * 1024;
  const r = new TcpReassembler(c, { probeBytes });
  const data = junk(5 * 1024 * 1024, 1, (b) => b !== 0x0a);
  r.segment(seg(1, 100, '', { flags: SYN }));
  let maxBuffered = 0;
  let maxAllocated = 0;
  const t0 = performance.now();
  for (let off = 0, f = 2; off < data.length; off += 1460, f++) {
    r.segment(seg(f, 101 + off, data.subarray(off, off + 1460)));
    const st = r.stats();
    maxBuffered = Math.max(maxBuffered, st.bufferedBytes);
    maxAllocated = Math.max(maxAllocated, st.allocatedBytes);
  }
  const ms = performance.now() - t0;
  const st = r.stats();
  assert.deepEqual([st.streams, st.ignoredStreams, st.bufferedBytes, st.allocatedBytes], [1, 1, 0, 0]);
  assert.ok(maxBuffered <= probeBytes + 1460, `buffered ${maxBuffered}`);
  assert.ok(maxAllocated <= 2 * (probeBytes + 1460), `allocated ${maxAllocated}`);
  r.end();
  assert.deepEqual(c.pdus, []);
  assert.deepEqual(c.problems, [], 'a stream that never looked like SIP is not a problem');
  assert.ok(ms < HANG_GUARD_MS, `took ${ms} ms`);
});

test('SIP start line then 5 MB without an empty line: header limit, resync limit, memory bounded', () => {
  const c = new Collect();
  const r = new TcpReassembler(c);
  // Junk with line breaks but never an empty line.
  const body = junk(5 * 1024 * 1024, 2, (b) => b !== 0x0a && b !== 0x0d);
  for (let i = 97; i < body.length; i += 100) body[i] = 0x0a;
  const data = cat(enc('INVITE sip:bob@example.com SIP/2.0\r\nX-Junk: '), body);
  r.segment(seg(1, 100, '', { flags: SYN }));
  let maxBuffered = 0;
  let maxAllocated = 0;
  let f = 2;
  for (let off = 0; off < data.length; off += 1460, f++) {
    r.segment(seg(f, 101 + off, data.subarray(off, off + 1460)));
    const st = r.stats();
    maxBuffered = Math.max(maxBuffered, st.bufferedBytes);
    maxAllocated = Math.max(maxAllocated, st.allocatedBytes);
  }
  assert.ok(maxBuffered <= 64 * 1024 + 2 * 1460 + 2048, `buffered ${maxBuffered}`);
  assert.ok(maxAllocated <= 256 * 1024, `allocated ${maxAllocated}`);
  assert.deepEqual(c.codes(), ['sip-header-too-long', 'tcp-unframed-bytes', 'tcp-stream-abandoned']);
  assert.equal(c.problems[0].frame, 2);
  assert.equal(c.problems[1].frame, 2);
  assert.match(c.problems[1].message, /^10\d{5} bytes .* frames 2–\d+ /);
  assert.ok(c.problems[2].frame! > 700 && c.problems[2].frame! < 800, `abandoned at frame ${c.problems[2].frame}`);
  assert.deepEqual(r.stats().ignoredStreams, 1);
  // A new connection on the same addresses and ports is read again.
  const m = register(9);
  r.segment(seg(f, 5000, '', { flags: SYN }));
  r.segment(seg(f + 1, 5001, m));
  r.end();
  assert.deepEqual(c.texts(), [m]);
  assert.equal(c.problems.length, 3);
});

test('Content-Length: 4294967295 is not believed: header delivered, body skipped, next message found', () => {
  const head = 'INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: big\r\nContent-Length: 4294967295\r\n\r\n';
  const bodyPart = 'v=0\r\no=- 1 1 IN IP4 x\r\n';
  const m2 = register(2);
  const c = new Collect();
  const r = new TcpReassembler(c);
  r.segment(seg(1, 1, head + bodyPart));
  r.segment(seg(2, 1 + head.length + bodyPart.length, m2));
  assert.ok(r.stats().allocatedBytes <= 8192);
  r.end();
  assert.deepEqual(c.texts(), [head, m2]);
  assert.deepEqual(c.codes(), ['sip-content-length-too-large', 'tcp-unframed-bytes']);
  assert.equal(c.problems[0].frame, 1);
  assert.match(c.problems[1].message, new RegExp(`^${bodyPart.length} bytes `));
});

test('missing Content-Length on TCP: problem, body taken as empty, the body bytes reported', () => {
  const head = 'MESSAGE sip:bob@example.com SIP/2.0\r\nCall-ID: m\r\nContent-Type: text/plain\r\n\r\n';
  const text = 'hello world\r\n';
  const m2 = register(2);
  const c = run([seg(1, 1, head + text + m2, { fileOffset: 100 })]);
  assert.deepEqual(c.texts(), [head, m2]);
  assert.deepEqual(c.codes(), ['sip-content-length-missing', 'tcp-unframed-bytes']);
  assert.deepEqual(
    c.problems.map((p) => [p.frame, p.offset]),
    [
      [1, 100],
      [1, 100 + head.length],
    ],
  );
  assert.equal(c.problems[0].severity, 'error');
});

test('sequence numbers wrap around 2^32, also with reordering', () => {
  const m1 = register(1, SDP);
  const m2 = register(2);
  const isn = 0xfffffff0;
  const s1 = (isn + 1) >>> 0;
  const s2 = (s1 + m1.length) >>> 0; // past the wrap
  assert.ok(s2 < 1000);
  const c = run([
    seg(1, isn, '', { flags: SYN }),
    seg(2, s1, m1),
    seg(3, s2 + 30, m2.slice(30)),
    seg(4, s2, m2.slice(0, 30)),
  ]);
  assert.deepEqual(c.problems, []);
  assert.deepEqual(c.texts(), [m1, m2]);
  assert.deepEqual(
    c.pdus.map((p) => [p.frame, p.frames]),
    [
      [2, [2]],
      [4, [4, 3]],
    ],
  );
  // A message straddling the wrap, no SYN.
  const d = run(split(m1, [20], 0xffffffff - 40, 1));
  assert.deepEqual(d.problems, []);
  assert.deepEqual(d.texts(), [m1]);
});

test('a 100 KB body over 80 segments', () => {
  const body = dec(junk(100 * 1024, 3, (b) => b >= 0x20 && b < 0x7f));
  const m = 'MESSAGE sip:bob@example.com SIP/2.0\r\nCall-ID: big\r\nContent-Type: text/plain\r\n' + `Content-Length: ${body.length}\r\n\r\n` + body;
  const size = Math.ceil(m.length / 80);
  const segs = split(m, [size], 2, 2, { fileOffset: 0 });
  assert.equal(segs.length, 80);
  const c = new Collect();
  const r = new TcpReassembler(c);
  r.segment(seg(1, 1, '', { flags: SYN }));
  for (let i = 0; i < 79; i++) r.segment(segs[i]);
  assert.equal(c.pdus.length, 0);
  r.segment(segs[79]);
  assert.equal(c.pdus.length, 1);
  r.segment(seg(82, 2 + m.length, OK));
  r.end();
  assert.deepEqual(c.problems, []);
  assert.equal(c.pdus[0].bytes.length, m.length);
  assert.equal(dec(c.pdus[0].bytes.subarray(0, 100)), m.slice(0, 100));
  assert.deepEqual(c.pdus[0].bytes, enc(m));
  assert.equal(c.pdus[0].frame, 81);
  assert.deepEqual(c.pdus[0].frames, Array.from({ length: 80 }, (_, i) => i + 2));
  assert.deepEqual(c.texts()[1], OK);
  assert.ok(r.stats().allocatedBytes === 0);
});

test('a new SYN on the same 4-tuple starts a new stream; a retransmitted SYN does not', () => {
  const m1 = register(1);
  const m2 = register(2);
  const m3 = register(3);
  const c = run([
    seg(1, 1000, '', { flags: SYN }),
    seg(2, 1001, m1.slice(0, 70)),
    seg(3, 5000, '', { flags: SYN }),
    seg(4, 5001, m2),
    seg(5, 5000, '', { flags: SYN }),
    seg(6, 5001 + m2.length, m3),
  ]);
  assert.deepEqual(c.codes(), ['tcp-truncated-message']);
  assert.equal(c.problems[0].frame, 2);
  assert.match(c.problems[0].message, /70 bytes .*frames 2\).*new SYN/);
  assert.deepEqual(c.texts(), [m2, m3]);
  assert.deepEqual(
    c.pdus.map((p) => p.frame),
    [4, 6],
  );
});

test('FIN or RST with a partial message: truncated-message problem; late retransmissions ignored', () => {
  const m1 = register(1);
  const m2 = register(2);
  for (const [flags, why] of [
    [FIN, /FIN/],
    [RST, /RST/],
  ] as const) {
    const half = m2.slice(0, 90);
    const c = run([
      seg(1, 1, '', { flags: SYN }),
      seg(2, 2, m1 + half, { fileOffset: 40 }),
      seg(3, 2 + m1.length + half.length, '', { flags }),
      seg(4, 2, m1), // retransmission after the close
      seg(5, 2 + m1.length, half),
    ]);
    assert.deepEqual(c.texts(), [m1]);
    assert.deepEqual(c.codes(), ['tcp-truncated-message']);
    assert.equal(c.problems[0].frame, 2);
    assert.equal(c.problems[0].offset, 40 + m1.length);
    assert.match(c.problems[0].message, new RegExp(`of 90 bytes .*frames 2\\).*`));
    assert.match(c.problems[0].message, why);
  }
  // FIN carried by the last data segment, message complete: nothing to report.
  const d = run([seg(1, 1, '', { flags: SYN }), seg(2, 2, m1, { flags: FIN })]);
  assert.deepEqual(d.problems, []);
  assert.deepEqual(d.texts(), [m1]);
});

test('end() reports a partial message with its frames and bytes held', () => {
  const m = register(1, SDP);
  const c = run(split(m.slice(0, 300), [120], 10, 1));
  assert.deepEqual(c.pdus, []);
  assert.deepEqual(c.codes(), ['tcp-truncated-message']);
  assert.equal(c.problems[0].frame, 1);
  assert.match(c.problems[0].message, /of 300 bytes .*\(frames 1, 2, 3\).*capture ends/);
});

test('a lost segment between messages: gap reported after the wait, framing resumes', () => {
  const m1 = register(1);
  const m2 = register(2); // never captured
  const m3 = register(3);
  const m4 = register(4);
  const s = 1;
  const c = new Collect();
  const r = new TcpReassembler(c, { gapTimeoutSec: 3 });
  r.segment(seg(1, s, m1, { t: 10 }));
  r.segment(seg(2, s + m1.length + m2.length, m3, { t: 11 }));
  r.segment(seg(3, s + m1.length + m2.length + m3.length, m4, { t: 12 }));
  assert.equal(c.pdus.length, 1, 'waiting for the missing bytes');
  // A segment of another connection, later than the wait: the gap is given up on.
  r.segment(seg(4, 1, OK, { t: 14.5, src: { ip: '198.51.100.1', port: 5060 } }));
  assert.deepEqual(c.codes(), ['tcp-gap']);
  assert.equal(c.problems[0].frame, 2);
  assert.match(c.problems[0].message, new RegExp(`^${m2.length} bytes `));
  assert.deepEqual(c.texts(), [m1, m3, m4, OK]);
  assert.deepEqual(
    c.pdus.map((p) => p.frame),
    [1, 2, 3, 4],
  );
  r.end();
  assert.equal(c.problems.length, 1);
});

test('a lost segment inside a message: gap, truncated message, unframed rest, next message', () => {
  const m1 = register(1, SDP);
  const m2 = register(2);
  const [a, b, cc] = [m1.slice(0, 100), m1.slice(100, 200), m1.slice(200)];
  void b;
  const c = run([seg(1, 1, a), seg(2, 201, cc + m2)]);
  assert.deepEqual(c.codes(), ['tcp-gap', 'tcp-truncated-message', 'tcp-unframed-bytes']);
  assert.deepEqual(
    c.problems.map((p) => p.frame),
    [2, 1, 2],
  );
  assert.match(c.problems[1].message, /of 100 bytes .*\(frames 1\)/);
  assert.match(c.problems[2].message, new RegExp(`^${cc.length} bytes .*missing from the capture`));
  assert.deepEqual(c.texts(), [m2]);
  assert.equal(c.pdus[0].frame, 2);

  // With a small out-of-order window, the wait ends as soon as it is full.
  const d = new Collect();
  const r = new TcpReassembler(d, { maxOutOfOrderSegments: 2 });
  const m3 = register(3);
  r.segment(seg(1, 1, a));
  r.segment(seg(2, 201, cc));
  r.segment(seg(3, 201 + cc.length, m2));
  assert.equal(d.pdus.length, 0);
  r.segment(seg(4, 201 + cc.length + m2.length, m3));
  assert.deepEqual(d.texts(), [m2, m3]);
  assert.deepEqual(d.codes(), ['tcp-gap', 'tcp-truncated-message', 'tcp-unframed-bytes']);
});

test('a message longer than maxMessageBytes: delivered cut, the rest skipped exactly, sync kept', () => {
  const body = 'x'.repeat(3000);
  const m1 = 'MESSAGE sip:bob@example.com SIP/2.0\r\nCall-ID: long\r\n' + `Content-Length: ${body.length}\r\n\r\n` + body;
  const m2 = register(2);
  const c = new Collect();
  const r = new TcpReassembler(c, { maxMessageBytes: 1000 });
  let maxBuffered = 0;
  for (const s of split(m1 + m2, [500], 1, 1)) {
    r.segment(s);
    maxBuffered = Math.max(maxBuffered, r.stats().bufferedBytes);
  }
  r.end();
  assert.ok(maxBuffered <= 1000 + 500 + 2048, `buffered ${maxBuffered}`);
  assert.deepEqual(c.texts(), [m1.slice(0, 1000), m2]);
  assert.deepEqual(c.codes(), ['tcp-message-too-large']);
  assert.equal(c.problems[0].frame, 2);
  assert.deepEqual(c.pdus[0].frames, [1, 2]);
});

test('total memory limit: the stream that would exceed it drops its data and resynchronises', () => {
  const body = 'y'.repeat(40000);
  const m1 = 'MESSAGE sip:bob@example.com SIP/2.0\r\nCall-ID: huge\r\n' + `Content-Length: ${body.length}\r\n\r\n` + body;
  const m2 = register(2);
  const c = new Collect();
  const r = new TcpReassembler(c, { maxTotalBytes: 16 * 1024 });
  let maxAllocated = 0;
  for (const s of split(m1 + '\r\n' + m2, [1000], 1, 1)) {
    r.segment(s);
    maxAllocated = Math.max(maxAllocated, r.stats().allocatedBytes);
  }
  r.end();
  assert.ok(maxAllocated <= 16 * 1024);
  assert.deepEqual(c.codes(), ['tcp-memory-limit', 'tcp-unframed-bytes']);
  assert.deepEqual(c.texts(), [m2]);
});

test('streams are per direction and per address; more streams than the limit are evicted', () => {
  const m1 = register(1);
  const c = new Collect();
  const r = new TcpReassembler(c, { maxStreams: 10 });
  const other = { ip: '192.0.2.99', port: A.port };
  r.segment(seg(1, 1, m1.slice(0, 50)));
  r.segment(seg(2, 1, OK.slice(0, 20), { src: B, dst: A }));
  r.segment(seg(3, 1, m1.slice(0, 30), { src: other }));
  r.segment(seg(4, 51, m1.slice(50)));
  r.segment(seg(5, 21, OK.slice(20), { src: B, dst: A }));
  r.segment(seg(6, 31, m1.slice(30), { src: other }));
  assert.deepEqual(c.texts(), [m1, OK, m1]);
  assert.deepEqual(
    c.pdus.map((p) => [p.frame, p.src.ip, p.frames]),
    [
      [4, A.ip, [1, 4]],
      [5, B.ip, [2, 5]],
      [6, other.ip, [3, 6]],
    ],
  );
  for (let i = 0; i < 50; i++) r.segment(seg(10 + i, 1, junk(100, i), { src: { ip: '10.0.0.' + i, port: 1000 + i } }));
  assert.ok(r.stats().streams <= 10, `streams ${r.stats().streams}`);
  r.end();
  assert.deepEqual(c.problems, []);
});

test('idle streams are forgotten, reporting what they held', () => {
  const c = new Collect();
  const r = new TcpReassembler(c, { idleTimeoutSec: 10 });
  r.segment(seg(1, 1, register(1).slice(0, 60), { t: 0 }));
  const q = { ip: '203.0.113.5', port: 7000 };
  for (let i = 0; i < 5000; i++) r.segment(seg(2 + i, 1 + i, '', { t: 100 + i / 1000, src: q, flags: TcpFlags.ACK }));
  r.segment(seg(6000, 1, junk(500, 9), { t: 106, src: q }));
  for (let i = 0; i < 5000; i++) r.segment(seg(6001 + i, 501 + i, 'z', { t: 106 + i / 1000, src: q }));
  assert.deepEqual(c.codes(), ['tcp-truncated-message']);
  assert.equal(c.problems[0].frame, 1);
  assert.match(c.problems[0].message, /idle/);
  assert.equal(r.stats().streams, 1);
  r.end();
});

/** Small deterministic PRNG for the randomised tests. */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

test('randomised: segmentation, reordering, retransmission, keep-alives and wrap-around never change the messages', () => {
  for (let seedNo = 1; seedNo <= 300; seedNo++) {
    const rnd = rng(seedNo * 7919);
    const msgs: string[] = [];
    let streamText = '';
    for (let i = 0; i < 1 + rnd(12); i++) {
      if (rnd(4) === 0) streamText += ['\r\n\r\n', '\r\n'][rnd(2)];
      const body = rnd(3) === 0 ? '' : dec(junk(rnd(3000), seedNo * 31 + i));
      const m = rnd(2) === 0 ? register(i, body) : `SIP/2.0 200 OK\r\nCall-ID: ${i}\r\nl: ${body.length}\r\n\r\n${body}`;
      msgs.push(m);
      streamText += m;
    }
    const bytes = enc(streamText);
    const isn = (0xffffffff - rnd(5000)) >>> 0; // usually wraps inside the stream
    // In-order chunks, then a perturbed arrival order.
    const chunks: Array<[number, number]> = [];
    for (let off = 0; off < bytes.length; ) {
      const n = 1 + rnd(rnd(4) === 0 ? 20 : 1500);
      chunks.push([off, Math.min(bytes.length, off + n)]);
      off += n;
    }
    const arrivals: Array<[number, number]> = [];
    for (let i = 0; i < chunks.length; i++) {
      if (i + 1 < chunks.length && rnd(5) === 0) {
        arrivals.push(chunks[i + 1], chunks[i]);
        i++;
      } else {
        arrivals.push(chunks[i]);
      }
      if (rnd(8) === 0) {
        // Retransmission of an earlier range, possibly re-segmented across chunk boundaries.
        const a = rnd(arrivals[arrivals.length - 1][1] + 1);
        const b = Math.min(bytes.length, a + 1 + rnd(2000));
        arrivals.push([a, b]);
      }
    }
    const c = new Collect();
    const r = new TcpReassembler(c);
    r.segment(seg(1, isn, '', { flags: SYN }));
    const frameOf: number[] = new Array(bytes.length).fill(0);
    arrivals.forEach(([a, b], i) => {
      const frame = i + 2;
      for (let k = a; k < b; k++) if (frameOf[k] === 0) frameOf[k] = -frame; // candidate, confirmed below
      r.segment(seg(frame, (isn + 1 + a) >>> 0, bytes.subarray(a, b)));
    });
    r.end();
    assert.deepEqual(c.problems, [], `seed ${seedNo}`);
    assert.deepEqual(c.texts(), msgs, `seed ${seedNo}`);
    // Every PDU is reported at the highest frame among those that brought its bytes first.
    let off = 0;
    for (let i = 0; i < msgs.length; i++) {
      const start = streamText.indexOf(msgs[i], off);
      off = start + msgs[i].length;
      const contributing: number[] = [];
      for (let k = start; k < off; k++) {
        const f = -frameOf[k];
        if (!contributing.includes(f)) contributing.push(f);
      }
      assert.deepEqual(c.pdus[i].frames, contributing, `seed ${seedNo} message ${i} frames`);
      assert.equal(c.pdus[i].frame, Math.max(...contributing), `seed ${seedNo} message ${i} frame`);
    }
  }
});

test('randomised: arbitrary bytes, flags and sequence numbers never throw and stay bounded', () => {
  const fragments = [register(1), OK, '\r\n\r\n', 'Content-Length: 4294967295\r\n', 'INVITE sip:x SIP/2.0\r\n', '\r\n', 'l: 99999\r\n\r\n'];
  for (let seedNo = 1; seedNo <= 100; seedNo++) {
    const rnd = rng(seedNo * 104729);
    const c = new Collect();
    const r = new TcpReassembler(c, { maxTotalBytes: 256 * 1024, maxStreams: 8, gapTimeoutSec: 0.5 });
    let t = 0;
    for (let i = 0; i < 400; i++) {
      const parts: Uint8Array[] = [];
      for (let k = rnd(4); k > 0; k--) parts.push(rnd(2) ? enc(fragments[rnd(fragments.length)]) : junk(rnd(1500), seedNo + i * 13 + k));
      const data = cat(...parts);
      const flags = [TcpFlags.ACK, TcpFlags.ACK, TcpFlags.ACK, SYN, FIN, RST, TcpFlags.PSH | TcpFlags.ACK][rnd(7)];
      const port = 5060 + rnd(12);
      t += rnd(300) / 1000;
      r.segment(seg(i + 1, rnd(2) ? rnd(0x7fffffff) * 2 : 1000 + rnd(20000), data, { flags, t, src: { ip: '10.0.0.' + rnd(3), port } }));
      const st = r.stats();
      assert.ok(st.allocatedBytes <= 256 * 1024, `seed ${seedNo}: allocated ${st.allocatedBytes}`);
      assert.ok(st.streams <= 8 + 1, `seed ${seedNo}: streams ${st.streams}`);
    }
    r.end();
    for (const p of c.problems) assert.ok(p.code && p.message && p.severity, JSON.stringify(p));
    for (const p of c.pdus) assert.ok(p.frames.includes(p.frame) && p.bytes.length > 0);
  }
});

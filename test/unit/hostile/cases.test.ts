/**
 * Hostile and broken input, case by case. Each test builds one named defect into an otherwise
 * good trace and asserts (1) the one clear problem that names it, with its location (frame and
 * byte offset for captures, line and column for logs), and (2) no other harm: the messages
 * around it are still reported, nothing throws, time and memory stay bounded (time by the
 * shared hang guard: only a hang or a quadratic blow-up exceeds it; speed is the benchmark's).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latin1 } from '../../../src/core/bytes';
import { logPosition } from '../../../src/core/locate';
import { LogReader } from '../../../src/core/logs/index';
import { PacketDecoder } from '../../../src/core/net/decode';
import { SipExtractor } from '../../../src/core/net/sipExtractor';
import { MAX_HEADERS, parseSipMessage } from '../../../src/core/sip/parser';
import { createCaptureReader } from '../../../src/core/capture/index';
import type { Problem, SipPdu } from '../../../src/core/types';
import { ascii, buildPcap, concat, ethernet, fragmentIpv4, ipv4, PcapngBuilder, udp, type PcapRecord } from '../../helpers/captureBuilder';
import { countProblems, PROBLEMS_PER_CODE } from '../../../src/core/problemLimit';
import { checkSipMessage, checkTrace, splitLogLines } from '../../fuzz/invariants';
import { HANG_GUARD_MS } from '../../helpers/hangGuard';
import { callIds, ok, pcapOf, read, record, reg, tcpFrame, timed, udpFrame, where, whereLog } from './helpers';

const enc = new TextEncoder();

/** Every message and problem of a capture passes the fuzzer's invariants too. */
function sane(bytes: Uint8Array, r: ReturnType<typeof read>): void {
  checkTrace(r.messages, r.problems, { size: bytes.length, format: r.format, bytes: r.format === 'log' ? undefined : bytes, logLines: r.format === 'log' ? splitLogLines(bytes) : undefined });
}

// ---------------------------------------------------------------------------------------------
// pcap
// ---------------------------------------------------------------------------------------------

test('pcap: truncated global header (10 of 24 bytes)', () => {
  const bytes = pcapOf([reg(1)]).bytes.subarray(0, 10);
  const r = read(bytes);
  assert.equal(r.format, 'pcap');
  assert.deepEqual(where(r.problems), [['pcap-truncated-header', 'error', undefined, 0]]);
  assert.match(r.problems[0].message, /ends after 10 bytes, inside the 24-byte pcap file header/);
  assert.equal(r.messages.length, 0);
});

test('pcapng: truncated Section Header Block', () => {
  const bytes = new PcapngBuilder().section().iface(1).epb(0, 0n, udpFrame(reg(1))).bytes().subarray(0, 20);
  const r = read(bytes);
  assert.equal(r.format, 'pcapng');
  assert.deepEqual(where(r.problems), [['pcapng-truncated-block', 'warning', undefined, 0]]);
  assert.equal(r.messages.length, 0);
});

test('pcap: truncated record (file ends inside frame 3) - frames 1 and 2 still reported', () => {
  const { bytes, dataOffsets } = pcapOf([reg(1), ok(1), reg(2)]);
  const cut = bytes.subarray(0, dataOffsets[2] + 30);
  const r = read(cut);
  sane(cut, r);
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10', 'hostile-1@192.0.2.10']);
  assert.deepEqual(where(r.problems), [['pcap-truncated-record', 'warning', 3, dataOffsets[2] - 16]]);
  assert.match(r.problems[0].message, /cut short inside frame 3 \(30 of \d+ captured bytes\)/);
});

test('pcap: file ends inside a record header', () => {
  const { bytes, dataOffsets } = pcapOf([reg(1), reg(2)]);
  const cut = bytes.subarray(0, dataOffsets[1] - 16 + 7);
  const r = read(cut);
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10']);
  assert.deepEqual(where(r.problems), [['pcap-truncated-record', 'warning', 2, dataOffsets[1] - 16]]);
  assert.match(r.problems[0].message, /inside the record header of frame 2 \(7 of 16 bytes\)/);
});

test('pcap: record length larger than the file', () => {
  const frames = [udpFrame(reg(1)), udpFrame(reg(2))];
  const { bytes, dataOffsets } = buildPcap({}, [record(frames[0]), { ...record(frames[1]), inclLen: 5000 }]);
  const r = read(bytes);
  sane(bytes, r);
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10']);
  assert.deepEqual(where(r.problems), [['pcap-truncated-record', 'warning', 2, dataOffsets[1] - 16]]);
  assert.match(r.problems[0].message, new RegExp(`inside frame 2 \\(${frames[1].length} of 5000 captured bytes\\)`));
});

test('pcap: record length larger than any snaplen (0x7fffffff) - earlier frames reported, reading stops there', () => {
  const { bytes, dataOffsets } = buildPcap({}, [record(udpFrame(reg(1))), { ...record(udpFrame(reg(2))), inclLen: 0x7fffffff }, record(udpFrame(reg(3)))]);
  const r = read(bytes);
  sane(bytes, r);
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10']);
  assert.deepEqual(where(r.problems), [['pcap-record-too-large', 'error', 2, dataOffsets[1] - 16]]);
  assert.match(r.problems[0].message, /claims 2147483647 captured bytes \(snaplen 65535, \d+ on the wire\): the file is damaged here and reading stops/);
});

test('pcap: snaplen 2^32-1 - normal frames read; a 300000-byte frame is skipped as it streams past, the frames after it read', () => {
  const big = new Uint8Array(300000);
  const { bytes, dataOffsets } = buildPcap({ snaplen: 0xffffffff }, [record(udpFrame(reg(1))), { ...record(big), origLen: 300000 }, record(udpFrame(reg(2)))]);
  const r = read(bytes);
  sane(bytes, r);
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10', 'hostile-2@192.0.2.10']);
  assert.deepEqual(r.messages.map((m) => m.frame), [1, 3]);
  assert.deepEqual(where(r.problems), [['pcap-record-too-large', 'warning', 2, dataOffsets[1] - 16]]);
  // the same in 1000-byte chunks: the big frame is never buffered whole
  const chunks: SipPdu[] = [];
  const probs: Problem[] = [];
  const reader = createCaptureReader('pcap', { frame: (f) => chunks.push({ frame: f.frame } as SipPdu), problem: (p) => probs.push(p) });
  for (let i = 0; i < bytes.length; i += 1000) reader.push(bytes.subarray(i, i + 1000));
  assert.ok(((reader as unknown as { carry: Uint8Array }).carry.length) < 8192, 'carry stays small');
  reader.end();
  assert.deepEqual(chunks.map((c) => c.frame), [1, 3]);
});

// ---------------------------------------------------------------------------------------------
// pcapng
// ---------------------------------------------------------------------------------------------

function ngWith(damage: (b: PcapngBuilder) => void): { bytes: Uint8Array; b: PcapngBuilder } {
  const b = new PcapngBuilder().section().iface(1);
  b.epb(0, 1n, udpFrame(reg(1)));
  b.epb(0, 2n, udpFrame(reg(2)));
  damage(b);
  b.epb(0, 3n, udpFrame(reg(3)));
  return { bytes: b.bytes(), b };
}

test('pcapng: zero-length block - earlier frames reported, the damage located', () => {
  const { bytes, b } = ngWith((x) => x.raw(new Uint8Array([6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])));
  const at = b.blockOffsets[b.blockOffsets.length - 1] - 12;
  const r = read(bytes);
  sane(bytes, r);
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10', 'hostile-2@192.0.2.10']);
  assert.deepEqual(where(r.problems), [['pcapng-bad-block-length', 'error', 3, at]]);
  assert.match(r.problems[0].message, /claims a total length of 0 bytes \(must be a multiple of 4, at least 12/);
});

test('pcapng: misaligned block length (not a multiple of 4)', () => {
  const { bytes, b } = ngWith((x) => x.block(0x00000bad, (w) => w.u32(1).u32(2).u32(3), { totalLen: 30 }));
  const at = b.blockOffsets[4]; // SHB, IDB, two EPBs, then the damaged block
  const r = read(bytes);
  sane(bytes, r);
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10', 'hostile-2@192.0.2.10']);
  assert.deepEqual(where(r.problems), [['pcapng-bad-block-length', 'error', 3, at]]);
  assert.match(r.problems[0].message, /total length of 30 bytes/);
});

test('pcapng: a block length that disagrees with its trailer - warned, every frame still read', () => {
  const b = new PcapngBuilder().section().iface(1);
  b.epb(0, 1n, udpFrame(reg(1)));
  const frame = udpFrame(reg(2));
  b.block(6, (w) => w.u32(0).u32(0).u32(2).u32(frame.length).u32(frame.length).bytes(frame).pad4(), { trailerLen: 4 });
  b.epb(0, 3n, udpFrame(reg(3)));
  const bytes = b.bytes();
  const r = read(bytes);
  sane(bytes, r);
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10', 'hostile-2@192.0.2.10', 'hostile-3@192.0.2.10']);
  assert.deepEqual(where(r.problems), [['pcapng-block-length-mismatch', 'warning', 2, b.blockOffsets[3]]]);
  assert.match(r.problems[0].message, /says \d+ bytes at its start but 4 at its end/);
});

test('pcapng: unknown link type on one interface - said once, the other interface still read', () => {
  const b = new PcapngBuilder().section().iface(147).iface(1);
  b.epb(0, 1n, udpFrame(reg(1)));
  b.epb(1, 2n, udpFrame(reg(2)));
  b.epb(0, 3n, udpFrame(reg(3)));
  b.epb(1, 4n, udpFrame(reg(4)));
  const bytes = b.bytes();
  const r = read(bytes);
  sane(bytes, r);
  assert.deepEqual(callIds(r.messages), ['hostile-2@192.0.2.10', 'hostile-4@192.0.2.10']);
  assert.deepEqual(where(r.problems), [['link-type-unsupported', 'warning', 1, b.dataOffsets[0]]]);
  assert.match(r.problems[0].message, /Interface 0 captured with LINKTYPE_USER0 \(147\), which is not decoded; its frames are skipped \(first: frame 1\)/);
});

test('pcap: unknown link type for the whole file', () => {
  const { bytes, dataOffsets } = buildPcap({ linkType: 4242 }, [record(udpFrame(reg(1))), record(udpFrame(reg(2)))]);
  const r = read(bytes);
  assert.equal(r.messages.length, 0);
  assert.deepEqual(where(r.problems), [['link-type-unsupported', 'warning', 1, dataOffsets[0]]]);
});

test('pcapng: a packet names an interface with no Interface Description Block', () => {
  const b = new PcapngBuilder().section().iface(1);
  b.epb(0, 1n, udpFrame(reg(1)));
  b.epb(2, 2n, udpFrame(reg(2)));
  b.epb(0, 3n, udpFrame(reg(3)));
  const bytes = b.bytes();
  const r = read(bytes);
  sane(bytes, r);
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10', 'hostile-3@192.0.2.10']);
  assert.deepEqual(r.messages.map((m) => m.frame), [1, 3]);
  assert.deepEqual(where(r.problems), [['pcapng-unknown-interface', 'warning', 2, b.blockOffsets[3]]]);
  assert.match(r.problems[0].message, /Frame 2 names interface 2, but section 1 describes 1 interface\(s\); the frame is skipped/);
});

// ---------------------------------------------------------------------------------------------
// IP fragments
// ---------------------------------------------------------------------------------------------

function bigRegister(n: number): string {
  return reg(n, Array.from({ length: 30 }, (_, i) => `X-Pad-${i}: ${'p'.repeat(60)}`));
}

test('IPv4 fragments that overlap with different content - reported, first bytes kept, message and neighbours reported', () => {
  const text = bigRegister(2);
  const frags = fragmentIpv4(udp(5060, 5060, ascii(text)), 800, { id: 9 });
  // a forged fragment rewriting bytes 800..1599 with other content
  const forged = ipv4(new Uint8Array(800).fill(0x41), { id: 9, fragOffset: 800, more: true });
  const frames = [udpFrame(reg(1)), ...frags.slice(0, 2).map((f) => ethernet(0x0800, f)), ethernet(0x0800, forged), ...frags.slice(2).map((f) => ethernet(0x0800, f)), udpFrame(reg(3))];
  const { bytes } = buildPcap({}, frames.map((d, i) => record(d, i)));
  const r = read(bytes);
  sane(bytes, r);
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10', 'hostile-2@192.0.2.10', 'hostile-3@192.0.2.10']);
  assert.equal(r.messages[1].sip.text, text, 'the bytes that came first are kept');
  assert.deepEqual(where(r.problems).map((w) => w.slice(0, 3)), [['ip-fragment-overlap', 'warning', 4]]);
  assert.match(r.problems[0].message, /fragment in frame 4 \(bytes 800-1600\) overlaps bytes 800-1600 from an earlier fragment with different content; the earlier bytes are kept/);
});

test('IPv4 fragments that never complete - reported at the end with their frames, other messages reported', () => {
  const frags = fragmentIpv4(udp(5060, 5060, ascii(bigRegister(2))), 800, { id: 10 });
  assert.ok(frags.length >= 3);
  const frames = [udpFrame(reg(1)), ethernet(0x0800, frags[0]), ethernet(0x0800, frags[2]), udpFrame(reg(3))];
  const { bytes } = buildPcap({}, frames.map((d, i) => record(d, i)));
  const r = read(bytes);
  sane(bytes, r);
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10', 'hostile-3@192.0.2.10']);
  assert.deepEqual(where(r.problems).map((w) => w.slice(0, 3)), [['ip-fragments-incomplete', 'warning', 2]]);
  assert.match(r.problems[0].message, /IPv4 datagram 10\.0\.0\.1 -> 10\.0\.0\.2 id 0xa \(UDP\): fragments in frames 2, 3 never completed/);
});

test('IPv4 fragments: thousands of datagrams that never complete stay bounded (oldest evicted)', () => {
  const frames: Uint8Array[] = [];
  for (let id = 0; id < 3000; id++) frames.push(ethernet(0x0800, ipv4(new Uint8Array(1000), { id, more: true })));
  frames.push(udpFrame(reg(1)));
  const { bytes } = buildPcap({}, frames.map((d) => record(d, 0)));
  const r = read(bytes);
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10']);
  // Each counted: the listed ones, and the ones the summary per code past the limit stands for.
  const codes = new Map<string, number>();
  const listed = new Map<string, number>();
  for (const p of r.problems) {
    codes.set(p.code, (codes.get(p.code) ?? 0) + (p.elided ?? 1));
    listed.set(p.code, (listed.get(p.code) ?? 0) + 1);
  }
  assert.deepEqual([...codes], [['ip-fragments-evicted', 3000 - 256], ['ip-fragments-incomplete', 256]]);
  assert.deepEqual([...listed], [['ip-fragments-evicted', PROBLEMS_PER_CODE + 1], ['ip-fragments-incomplete', PROBLEMS_PER_CODE + 1]]);
  assert.ok(r.problems.every((p) => p.frame !== undefined));
  const evicted = r.problems.find((p) => p.code === 'ip-fragments-evicted' && p.elided)!;
  assert.equal(evicted.elided, 3000 - 256 - PROBLEMS_PER_CODE);
  assert.match(evicted.message, /^2644 more 'ip-fragments-evicted' problems after the first 100, in frames \d+ to \d+, not listed one by one; the first of them: /);
});

test('a capture cut by a snaplen: one packet-truncated per frame for the first 100, then one problem for the rest', () => {
  // 5 000 RTP-like datagrams of 214 bytes, cut to 128 (tcpdump -s 128), around two REGISTERs.
  const frames: PcapRecord[] = [record(udpFrame(reg(1)), 0)];
  const rtp = udpFrame(new Uint8Array(172), { sport: 40000 });
  for (let i = 0; i < 5000; i++) frames.push({ sec: 1700000001, frac: i, data: rtp.subarray(0, 128), origLen: rtp.length });
  frames.push(record(udpFrame(reg(2)), 2));
  const r = read(buildPcap({}, frames).bytes);
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10', 'hostile-2@192.0.2.10']);
  const truncated = r.problems.filter((p) => p.code === 'packet-truncated');
  assert.equal(truncated.length, PROBLEMS_PER_CODE + 1);
  assert.deepEqual(truncated.slice(0, 3).map((p) => p.frame), [2, 3, 4]);
  const rest = truncated[PROBLEMS_PER_CODE];
  assert.equal(rest.elided, 5000 - PROBLEMS_PER_CODE);
  assert.equal(rest.frame, 2 + PROBLEMS_PER_CODE);
  assert.equal(rest.severity, 'warning');
  assert.match(rest.message, /^4900 more 'packet-truncated' problems after the first 100, in frames 102 to 5001, not listed one by one; the first of them: Frame 102 was cut to 128 of its 214 bytes/);
  // Counts (the CLI's summary line, the capture summary) still say how many there were.
  assert.equal(countProblems(truncated), 5000);
});

// ---------------------------------------------------------------------------------------------
// TCP
// ---------------------------------------------------------------------------------------------

test('TCP: megabytes with no CRLFCRLF - framing gives up with a located problem, memory stays bounded, other connections still read', () => {
  const head = ascii('REGISTER sip:ims.example.net SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.10;branch=z9hG4bK1\r\n');
  const filler = ascii('X-Filler: ' + 'f'.repeat(1380) + '\r\n');
  const frames: Uint8Array[] = [];
  let seq = 1000;
  frames.push(tcpFrame(head, seq));
  seq += head.length;
  const other = ascii(reg(7));
  for (let i = 0; i < 2300; i++) {
    frames.push(tcpFrame(filler, seq));
    seq += filler.length;
    if (i === 1000) frames.push(tcpFrame(other, 5000, { sport: 40001 }));
  }
  const { bytes } = buildPcap({}, frames.map((d, i) => record(d, i)));
  assert.ok(bytes.length > 3_000_000);
  // direct pipeline, to watch what the reassembler holds after every frame
  const problems: Problem[] = [];
  const pdus: SipPdu[] = [];
  const x = new SipExtractor({ pdu: (p) => pdus.push(p), problem: (p) => problems.push(p) });
  const d = new PacketDecoder({ udp: (p) => x.udp(p), tcp: (s) => x.tcp(s), problem: (p) => problems.push(p) });
  let maxHeld = 0;
  const reader = createCaptureReader('pcap', {
    frame: (f) => {
      d.frame(f);
      maxHeld = Math.max(maxHeld, x.tcpStats().allocatedBytes);
    },
    problem: (p) => problems.push(p),
  });
  const t = timed(() => {
    for (let i = 0; i < bytes.length; i += 65536) reader.push(bytes.subarray(i, i + 65536));
    reader.end();
    d.end();
    x.end();
  });
  assert.ok(maxHeld <= 256 * 1024, `reassembly held ${maxHeld} bytes`);
  assert.ok(t.ms < HANG_GUARD_MS, `took ${t.ms} ms`);
  assert.equal(pdus.length, 1);
  assert.match(latin1(pdus[0].bytes), /Call-ID: hostile-7@/);
  const start = 40 + 14 + 20 + 20; // the message's first byte in the file
  assert.deepEqual(problems.map((p) => [p.code, p.frame, p.offset]), [
    ['sip-header-too-long', 1, start],
    ['tcp-unframed-bytes', 1, start],
    ['tcp-stream-abandoned', problems[2].frame, undefined],
  ]);
  assert.ok(problems[2].frame! > 700 && problems[2].frame! < 800, `abandoned at frame ${problems[2].frame}, about 1 MiB in`);
  assert.match(problems[0].message, /no empty line ends the header section within 65536 bytes; its bytes are skipped up to the next SIP start line/);
  assert.match(problems[1].message, /^\d+ bytes of TCP 10\.0\.0\.1:40000 -> 10\.0\.0\.2:5060 in frames 1–\d+ are not part of a framed SIP message and were skipped/);
  assert.match(problems[2].message, /No SIP start line found in 1048576 bytes of TCP 10\.0\.0\.1:40000 -> 10\.0\.0\.2:5060; the rest of this connection is ignored/);
  // and the same through the whole engine
  const r = read(bytes);
  sane(bytes, r);
  assert.deepEqual(callIds(r.messages), ['hostile-7@192.0.2.10']);
  assert.deepEqual(r.problems.map((p) => p.code), ['sip-header-too-long', 'tcp-unframed-bytes', 'tcp-stream-abandoned']);
});

// ---------------------------------------------------------------------------------------------
// Content-Length: 4294967295
// ---------------------------------------------------------------------------------------------

function hugeLength(n: number): string {
  return reg(n).replace('Content-Length: 0', 'Content-Length: 4294967295');
}

test('Content-Length: 4294967295 over UDP - the message is reported with the problem, the next one too', () => {
  const { bytes, dataOffsets } = pcapOf([hugeLength(1), reg(2)]);
  const r = read(bytes);
  sane(bytes, r);
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10', 'hostile-2@192.0.2.10']);
  assert.deepEqual(where(r.problems), [['sip-content-length-too-large', 'error', 1, dataOffsets[0] + 42]]);
  assert.match(r.problems[0].message, /Content-Length 4294967295 exceeds the limit of 16777216 bytes; the message is treated as cut at the end of the datagram/);
  const m = r.messages[0].sip;
  assert.equal(m.contentLength, 4294967295);
  const p = m.problems.find((x) => /Content-Length is 4294967295 but only 0 octets follow/.test(x.message));
  assert.ok(p);
  assert.equal(m.text.slice(p.span.start, p.span.end), '4294967295');
});

test('Content-Length: 4294967295 over TCP - cut after its header, the next message on the same stream still framed', () => {
  const stream = ascii(hugeLength(1) + reg(2));
  assert.ok(hugeLength(1).length < 500, 'the first message lies in the first segment');
  const { bytes } = buildPcap({}, [record(tcpFrame(stream.subarray(0, 500), 1000)), record(tcpFrame(stream.subarray(500), 1500))]);
  const r = read(bytes);
  sane(bytes, r);
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10', 'hostile-2@192.0.2.10']);
  assert.deepEqual(where(r.problems), [['sip-content-length-too-large', 'error', 1, 40 + 14 + 20 + 20]]);
  assert.match(r.problems[0].message, /treated as cut after its header section/);
});

test('Content-Length: 4294967295 in a log - the message is reported with the problem, the next one too', () => {
  const log = hugeLength(1) + reg(2);
  const bytes = enc.encode(log);
  const r = read(bytes);
  sane(bytes, r);
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10', 'hostile-2@192.0.2.10']);
  const m = r.messages[0].sip;
  const p = m.problems.find((x) => /Content-Length is 4294967295 but only/.test(x.message));
  assert.ok(p, 'the parser reports the impossible length');
  assert.equal(m.text.slice(p.span.start, p.span.end), '4294967295');
});

test('Content-Length with more digits than any number - no Infinity, the body runs to the end', () => {
  const text = reg(1).replace('Content-Length: 0', `Content-Length: ${'9'.repeat(40)}`);
  const m = parseSipMessage(text);
  checkSipMessage(m);
  assert.equal(m.contentLength, undefined);
  const p = m.problems.find((x) => /Content-Length 9{10}.* is out of range/.test(x.message));
  assert.ok(p, m.problems.map((x) => x.message).join('\n'));
  assert.equal(p.severity, 'error');
});

// ---------------------------------------------------------------------------------------------
// Huge header sections
// ---------------------------------------------------------------------------------------------

function manyHeaders(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`X-H${i}: v${i}`);
  return reg(1).replace('Content-Length: 0', lines.join('\r\n') + '\r\nContent-Length: 0');
}

test('100 000 headers: the first 10 000 kept, one warning at the first one dropped, linear time', () => {
  const text = manyHeaders(100000);
  const { value: m, ms } = timed(() => parseSipMessage(text));
  checkSipMessage(m);
  assert.ok(ms < HANG_GUARD_MS, `parsed in ${ms} ms`);
  assert.equal(m.headers.length, MAX_HEADERS);
  const w = m.problems.filter((p) => /header fields/.test(p.message));
  assert.equal(w.length, 2);
  assert.match(w[0].message, /more than 10000 header fields; this one and the rest are not parsed/);
  assert.ok(m.text.slice(w[0].span.start, w[0].span.end).startsWith('X-H'));
  assert.match(w[1].message, /\d+ header fields beyond the first 10000 were not parsed/);
});

test('100 000 headers in a log: cut at the message size limit (located), the next message still reported', () => {
  const log = manyHeaders(100000) + reg(2);
  const bytes = enc.encode(log);
  const { value: r, ms } = timed(() => read(bytes));
  sane(bytes, r);
  assert.ok(ms < HANG_GUARD_MS, `read in ${ms} ms`);
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10', 'hostile-2@192.0.2.10']);
  assert.equal(r.problems.length, 1);
  assert.equal(r.problems[0].code, 'log-message-too-large');
  assert.equal(r.problems[0].column, 1);
  assert.match(r.problems[0].message, /The SIP message starting at line 1 is larger than 1048576 bytes; it is read only up to line \d+/);
});

test('100 000 headers over TCP: the header section is refused past 64 KiB, the next connection still read', () => {
  const big = ascii(manyHeaders(100000));
  const frames: Uint8Array[] = [];
  for (let i = 0, seq = 1000; i < big.length; i += 1400, seq += 1400) frames.push(tcpFrame(big.subarray(i, Math.min(big.length, i + 1400)), seq));
  frames.push(tcpFrame(ascii(reg(2)), 1, { sport: 40001 }));
  const { bytes } = buildPcap({}, frames.map((d, i) => record(d, i)));
  const r = read(bytes);
  sane(bytes, r);
  assert.deepEqual(callIds(r.messages), ['hostile-2@192.0.2.10']);
  assert.deepEqual(r.problems.map((p) => [p.code, p.frame]).slice(0, 1), [['sip-header-too-long', 1]]);
});

test('a 10 MB header line: parsed in linear time; list and parameter caps hold', () => {
  const ten = 10 * 1024 * 1024;
  for (const [name, unit] of [['Subject', 'a'], ['Via', ','], ['Contact', ';x'], ['Route', '<sip:a;lr>,'], ['Authorization', 'Digest a="b",']] as const) {
    const value = name === 'Authorization' ? 'Digest ' + unit.slice(7).repeat(Math.floor(ten / (unit.length - 7))) : unit.repeat(Math.floor(ten / unit.length));
    const text = reg(1).replace('Content-Length: 0', `${name}: ${value}\r\nContent-Length: 0`);
    const { value: m, ms } = timed(() => parseSipMessage(text));
    checkSipMessage(m, name);
    assert.ok(ms < HANG_GUARD_MS, `${name}: parsed in ${ms} ms`);
    assert.ok(m.problems.length <= 500, `${name}: ${m.problems.length} problems`);
    const h = m.headers.find((x) => x.name === name && x.value.length > 1000);
    assert.ok(h, `${name}: header kept`);
    assert.equal(h.valueSpan.end - h.valueSpan.start, value.length);
  }
});

test('a 10 MB header line in a log: cut at 1 MiB with its line and column, the messages around it reported', () => {
  const line = 'Subject: ' + 'a'.repeat(10 * 1024 * 1024);
  const log = reg(1) + reg(2).replace('Content-Length: 0', `${line}\r\nContent-Length: 0`) + reg(3);
  const bytes = enc.encode(log);
  const { value: r, ms } = timed(() => read(bytes));
  assert.ok(ms < HANG_GUARD_MS, `read in ${ms} ms`);
  sane(bytes, r);
  const lineNo = splitLogLines(bytes).findIndex((l) => l.startsWith('Subject: aaa')) + 1;
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10', 'hostile-2@192.0.2.10', 'hostile-3@192.0.2.10']);
  // the line is cut to 1 MiB, which no longer fits the 1 MiB message limit: the message ends before it
  assert.deepEqual(whereLog(r.problems), [['log-line-too-long', lineNo, 1048577], ['log-message-too-large', lineNo, 1]]);
  assert.match(r.problems[0].message, new RegExp(`Line ${lineNo} is longer than 1048576 characters; only its first 1048576 characters are read`));
  const start2 = splitLogLines(bytes).findIndex((l) => l.startsWith('CSeq: 2 ')) - 5; // the start line, 6 lines above CSeq
  assert.match(r.problems[1].message, new RegExp(`The SIP message starting at line ${start2} is larger than 1048576 bytes; it is read only up to line ${lineNo}`));
  // the 11 headers before the cut line are kept; the line and what follows it in the message are not
  assert.deepEqual(r.messages[1].sip.headers.map((h) => h.key).slice(-2), ['supported', 'user-agent']);
});

test('a 10 MB header line over TCP: refused past 64 KiB, other connections still read', () => {
  const big = ascii(reg(1).replace('Content-Length: 0', `Subject: ${'a'.repeat(10 * 1024 * 1024)}\r\nContent-Length: 0`));
  const frames: Uint8Array[] = [];
  for (let i = 0, seq = 1000; i < big.length; i += 65000, seq += 65000) frames.push(tcpFrame(big.subarray(i, Math.min(big.length, i + 65000)), seq));
  frames.splice(3, 0, tcpFrame(ascii(reg(2)), 1, { sport: 40001 }));
  const { bytes } = buildPcap({}, frames.map((d, i) => record(d, i)));
  const { value: r, ms } = timed(() => read(bytes));
  assert.ok(ms < HANG_GUARD_MS, `read in ${ms} ms`);
  sane(bytes, r);
  assert.deepEqual(callIds(r.messages), ['hostile-2@192.0.2.10']);
  assert.deepEqual(r.problems.map((p) => [p.code, p.frame]), [['sip-header-too-long', 1], ['tcp-unframed-bytes', 1], ['tcp-stream-abandoned', r.problems[2]?.frame]]);
});

// ---------------------------------------------------------------------------------------------
// NUL bytes, invalid UTF-8, binary garbage
// ---------------------------------------------------------------------------------------------

test('NUL bytes and invalid UTF-8 in headers (capture): reported at the byte, the message and its neighbours kept', () => {
  const bad = concat(ascii(reg(2).replace('Content-Length: 0', 'Subject: a\0b\r\nX-Bytes: \xff\xfe\xc3(\r\nContent-Length: 0')));
  const { bytes } = buildPcap({}, [record(udpFrame(reg(1))), record(udpFrame(bad)), record(udpFrame(reg(3)))]);
  const r = read(bytes);
  sane(bytes, r);
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10', 'hostile-2@192.0.2.10', 'hostile-3@192.0.2.10']);
  assert.deepEqual(r.problems, []);
  const m = r.messages[1].sip;
  const p = m.problems.find((x) => /control character 0x00 in the value of header Subject \(NUL is only allowed escaped/.test(x.message));
  assert.ok(p, m.problems.map((x) => x.message).join('\n'));
  assert.equal(m.text.charCodeAt(p.span.start), 0);
  assert.equal(p.span.end, p.span.start + 1);
  assert.equal(m.headers.find((h) => h.name === 'X-Bytes')?.value, '\xff\xfe\xc3(');
});

test('NUL bytes and invalid UTF-8 in headers (log): the NUL reported at its line and column, invalid UTF-8 kept as U+FFFD', () => {
  const log = reg(1) + reg(2).replace('Content-Length: 0', 'Subject: a\0b\r\nX-Bytes: \xff\xfe(\r\nContent-Length: 0') + reg(3);
  const bytes = Uint8Array.from(log, (c) => c.charCodeAt(0));
  const r = read(bytes);
  sane(bytes, r);
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10', 'hostile-2@192.0.2.10', 'hostile-3@192.0.2.10']);
  assert.deepEqual(r.problems, []);
  const m = r.messages[1];
  const p = m.sip.problems.find((x) => /control character 0x00 in the value of header Subject/.test(x.message));
  assert.ok(p, m.sip.problems.map((x) => x.message).join('\n'));
  const nul = splitLogLines(bytes).findIndex((l) => l.includes('\0')) + 1;
  assert.deepEqual(logPosition(m, p.span.start), { line: nul, column: 11 });
  assert.equal(m.sip.headers.find((h) => h.name === 'X-Bytes')?.value, '\ufffd\ufffd(');
});

test('binary garbage in the middle of a log: located, the messages before and after reported', () => {
  const garbage = new Uint8Array(3000);
  let s = 7;
  for (let i = 0; i < garbage.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    garbage[i] = s >>> 24;
  }
  const bytes = concat(enc.encode(reg(1)), garbage, enc.encode('\n' + reg(2)));
  const r = read(bytes);
  sane(bytes, r);
  assert.equal(r.format, 'log');
  assert.deepEqual(callIds(r.messages), ['hostile-1@192.0.2.10', 'hostile-2@192.0.2.10']);
  assert.ok(r.problems.length >= 1);
  assert.ok(r.problems.every((p) => p.code === 'log-binary-data' && p.line !== undefined && p.line > 13 && p.column === 1), JSON.stringify(r.problems));
});

test('a log of one 200 MB line, streamed in 1 MiB chunks: one located problem, bounded time, nothing held', () => {
  const chunk = new Uint8Array(1024 * 1024).fill(0x61);
  const problems: Problem[] = [];
  let messages = 0;
  const reader = new LogReader({ message: () => messages++, problem: (p) => problems.push(p) });
  const { ms } = timed(() => {
    reader.push(enc.encode(reg(1)));
    for (let i = 0; i < 200; i++) reader.push(chunk);
    reader.push(enc.encode('\n' + reg(2)));
    reader.end();
  });
  assert.ok(ms < HANG_GUARD_MS, `read in ${ms} ms`);
  assert.equal(messages, 2);
  const lineNo = reg(1).split('\r\n').length;
  assert.deepEqual(whereLog(problems), [['log-line-too-long', lineNo, 1048577]]);
  assert.equal((reader as unknown as { pending: string }).pending.length, 0);
});

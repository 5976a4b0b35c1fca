/**
 * Fuzz entry points. Each target builds input number `index` of a campaign from `(seed, index)`
 * alone (so any failure is reproduced from three numbers, or from the saved input), runs it
 * through one layer of the engine and checks the invariants of invariants.ts on the way.
 *
 *   capture    pcap / pcapng readers, whole vs. random chunking, frames point into the file
 *   net        PacketDecoder + fragments + TCP reassembly + SIP framing, under small limits
 *   trace      TraceReader end to end (captures and logs), whole vs. random chunking
 *   log        LogReader, small line/message limits, line maps point at the log text
 *   sip        parseSipMessage and every value parser on every header
 *   writer     formatParsedHeader / formatMessage -> parse gives the same structure
 *   register   RegisterChecker over parsed REGISTER/PUBLISH flows (mutated, reordered, retimed)
 *   tcp        a SIP stream cut, reordered and duplicated: exactly the messages come out
 *   fragments  a SIP datagram cut into IPv4/IPv6 fragments, shuffled, duplicated: it comes out whole
 */
import { createCaptureReader, MAX_PACKET_BYTES } from '../../src/core/capture/index';
import { latin1 } from '../../src/core/bytes';
import { LogReader } from '../../src/core/logs/index';
import { PacketDecoder } from '../../src/core/net/decode';
import { SipExtractor } from '../../src/core/net/sipExtractor';
import { headerSpec } from '../../src/core/sip/headerTable';
import { parseSipMessage } from '../../src/core/sip/parser';
import {
  checkCallId, checkDate, checkWarning, parseCredentialsWithProblems, parseCSeqHeader, parseNameAddr, parseNameAddrList,
  parseNumberHeader, parseParams, parseProductsWithProblems, parseTokenListWithProblems, parseUri, parseValueParams, parseVia,
} from '../../src/core/sip/values';
import { formatMessage, formatParsedHeader } from '../../src/core/sip/writer';
import { TraceReader } from '../../src/core/trace';
import { RegisterChecker } from '../../src/core/register/index';
import { resolveSettings } from '../../src/core/settings';
import type { Problem, RawFrame, SipHeader, SipMessage, SipPdu, TraceMessage } from '../../src/core/types';
import { ethernet, fragmentIpv4, fragmentIpv6, udp } from '../helpers/captureBuilder';
import { HANG_GUARD_MS } from '../helpers/hangGuard';
import { check, checkFindings, checkProblem, checkSipMessage, checkTrace, checkUri, fail, splitLogLines } from './invariants';
import { fragmentCase, fragmentOrder, message, messageText, sampleAt, streamCase, type FragmentCase, type StreamCase } from './generators';
import { havoc, kindOf, mutateSipText } from './mutate';
import { hashString, Rng } from './rng';
import { loadSeeds } from './seeds';

export interface Target<I> {
  name: string;
  description: string;
  /** Input number `index` of the campaign `seed`. */
  input(seed: number, index: number): I;
  /** Runs one input; throws (a FuzzFailure for a broken invariant) on failure. */
  run(input: I): void;
  /** How a failing input is saved, and read back. */
  encode(input: I): { bytes: Uint8Array; ext: string };
  decode(bytes: Uint8Array): I;
  /** Milliseconds one input may take before it counts as a hang. */
  budgetMs(input: I): number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function rngFor(name: string, seed: number, index: number): Rng {
  return new Rng(hashString(name), seed, index);
}

/** A deterministic Rng from the input itself, for choices a replay must repeat (chunk sizes, limits). */
function rngOfBytes(b: Uint8Array, salt: string): Rng {
  let h = 0x811c9dc5 ^ b.length;
  const step = Math.max(1, Math.floor(b.length / 4096));
  for (let i = 0; i < b.length; i += step) h = Math.imul(h ^ b[i], 0x01000193);
  return new Rng(h >>> 0, hashString(salt));
}

function randomChunks(b: Uint8Array, rng: Rng): Uint8Array[] {
  const out: Uint8Array[] = [];
  const style = rng.int(4);
  let p = 0;
  while (p < b.length) {
    const n = style === 0 ? 1 + rng.int(7) : style === 1 ? 1 + rng.int(200) : style === 2 ? 1 + rng.int(70000) : 1 + rng.skewed(5000);
    out.push(b.subarray(p, Math.min(b.length, p + n)));
    p += n;
  }
  return out;
}

/**
 * The time one input may take: far above what a linear pass needs even on a loaded 2-core
 * machine (inputs are at most 2 MB), so only a hang or a superlinear blow-up exceeds it. Not a
 * speed target: speed is the benchmark's (test/helpers/hangGuard.ts).
 */
function bytesBudget(b: Uint8Array): number {
  return Math.min(HANG_GUARD_MS, 5000 + Math.ceil(b.length / 1024) * 25);
}

function extOf(b: Uint8Array): string {
  const k = kindOf(b);
  return k === 'text' ? 'txt' : k;
}

function bytesTarget(name: string, description: string, pool: () => Uint8Array[], run: (b: Uint8Array) => void, budget = bytesBudget): Target<Uint8Array> {
  return {
    name,
    description,
    input(seed, index) {
      const seeds = pool();
      const rng = rngFor(name, seed, index);
      const base = seeds[rng.int(seeds.length)];
      // Every 16th input is a seed as it is: the unmutated paths must hold too.
      if (index % 16 === 0) return base.slice();
      return havoc(rng, base, seeds[rng.int(seeds.length)]);
    },
    run,
    encode: (b) => ({ bytes: b, ext: extOf(b) }),
    decode: (b) => b,
    budgetMs: budget,
  };
}

// ---------------------------------------------------------------------------------------------
// capture: the readers alone
// ---------------------------------------------------------------------------------------------

interface ReadOut {
  frames: { frame: number; linkType: number; ts: string; origLen: number; fileOffset: number; interfaceId: number; data: Uint8Array }[];
  problems: Problem[];
  carryMax: number;
}

function readFrames(format: 'pcap' | 'pcapng', chunks: Uint8Array[]): ReadOut {
  const out: ReadOut = { frames: [], problems: [], carryMax: 0 };
  const reader = createCaptureReader(format, {
    frame: (f: RawFrame) => out.frames.push({ frame: f.frame, linkType: f.linkType, ts: `${f.ts.sec}.${f.ts.nsec}`, origLen: f.origLen, fileOffset: f.fileOffset, interfaceId: f.interfaceId, data: f.data.slice() }),
    problem: (p) => out.problems.push(p),
  });
  for (const c of chunks) {
    reader.push(c);
    const carry = (reader as unknown as { carry?: Uint8Array }).carry;
    if (carry) out.carryMax = Math.max(out.carryMax, carry.length);
  }
  reader.end();
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function runCapture(b: Uint8Array): void {
  const kind = kindOf(b);
  const formats: ('pcap' | 'pcapng')[] = kind === 'pcap' ? ['pcap'] : kind === 'pcapng' ? ['pcapng'] : ['pcap', 'pcapng'];
  for (const format of formats) {
    const whole = readFrames(format, [b]);
    const chunked = readFrames(format, randomChunks(b, rngOfBytes(b, 'capture')));
    // Memory: a reader holds at most one block (a maximal packet plus its header and options).
    check(chunked.carryMax <= 2 * (MAX_PACKET_BYTES + 4096), () => `${format}: carry buffer grew to ${chunked.carryMax} bytes`);
    check(whole.frames.length === chunked.frames.length, () => `${format}: ${whole.frames.length} frames whole, ${chunked.frames.length} chunked`);
    check(JSON.stringify(whole.problems) === JSON.stringify(chunked.problems), () => `${format}: problems differ whole vs chunked:\n${JSON.stringify(whole.problems).slice(0, 600)}\n${JSON.stringify(chunked.problems).slice(0, 600)}`);
    let prev = 0;
    whole.frames.forEach((f, i) => {
      const c = chunked.frames[i];
      check(f.frame === c.frame && f.ts === c.ts && f.origLen === c.origLen && f.fileOffset === c.fileOffset && f.linkType === c.linkType && sameBytes(f.data, c.data), () => `${format}: frame ${f.frame} differs whole vs chunked`);
      check(f.frame > prev, () => `${format}: frame numbers not increasing (${prev} then ${f.frame})`);
      prev = f.frame;
      check(f.data.length <= MAX_PACKET_BYTES, () => `${format}: frame ${f.frame} holds ${f.data.length} bytes`);
      check(f.fileOffset >= 0 && f.fileOffset + f.data.length <= b.length, () => `${format}: frame ${f.frame} data ${f.fileOffset}+${f.data.length} outside the ${b.length}-byte file`);
      check(sameBytes(f.data, b.subarray(f.fileOffset, f.fileOffset + f.data.length)), () => `${format}: frame ${f.frame} data is not the file's bytes at its offset`);
      const [sec, nsec] = f.ts.split('.').map(Number);
      check(Number.isFinite(sec) && Number.isInteger(nsec) && nsec >= 0 && nsec < 1e9, () => `${format}: frame ${f.frame} timestamp ${f.ts}`);
    });
    for (const p of whole.problems) checkProblem(p, { where: 'capture', size: b.length });
  }
}

// ---------------------------------------------------------------------------------------------
// net: decoder + fragments + TCP + framing, with limits small enough to be hit
// ---------------------------------------------------------------------------------------------

function runNet(b: Uint8Array): void {
  const kind = kindOf(b);
  if (kind === 'text') return runCapture(b);
  const rng = rngOfBytes(b, 'net');
  const small = rng.chance(0.6);
  const tcpOpts = small
    ? {
        maxMessageBytes: rng.pick([4096, 70000, 2 * 1024 * 1024]),
        maxTotalBytes: rng.pick([65536, 300000, 64 * 1024 * 1024]),
        maxOutOfOrderBytes: rng.pick([2048, 65536]),
        maxOutOfOrderSegments: rng.pick([2, 16, 256]),
        probeBytes: rng.pick([256, 4096, 16384]),
        resyncBytes: rng.pick([4096, 65536]),
        maxStreams: rng.pick([2, 8, 20000]),
        gapTimeoutSec: rng.pick([0, 1, 3]),
        idleTimeoutSec: rng.pick([1, 300]),
        historyBytes: rng.pick([0, 64, 2048]),
      }
    : {};
  const maxHeaderBytes = rng.pick([undefined, 512, 4096]);
  const maxContentLength = rng.pick([undefined, 1000, 100000]);
  const fragOpts = small ? { maxPendingDatagrams: rng.pick([1, 4, 256]), fragmentTimeoutSec: rng.pick([0, 1, 30]), maxFragmentBytes: rng.pick([1500, 3000, 65535]) } : {};
  const maxTotal = tcpOpts.maxTotalBytes ?? 64 * 1024 * 1024;
  const maxPending = fragOpts.maxPendingDatagrams ?? 256;
  const maxStreams = tcpOpts.maxStreams ?? 20000;
  const maxMessage = tcpOpts.maxMessageBytes ?? 2 * 1024 * 1024;

  const problems: Problem[] = [];
  const pdus: SipPdu[] = [];
  let lastFrame = 0;
  let frameLen = 0;
  const extractor = new SipExtractor({ pdu: (p) => pdus.push({ ...p, bytes: p.bytes.slice() }), problem: (p) => problems.push(p) }, { tcp: tcpOpts, maxHeaderBytes, maxContentLength });
  const decoder = new PacketDecoder({
    udp: (p) => {
      check(p.frame === lastFrame, 'UDP payload names another frame');
      check(p.data.length <= frameLen || p.fileOffset === undefined, () => `UDP payload of ${p.data.length} bytes from a ${frameLen}-byte frame`);
      if (p.fileOffset !== undefined) check(p.fileOffset + p.data.length <= b.length && sameBytes(p.data.subarray(0, 16), b.subarray(p.fileOffset, p.fileOffset + Math.min(16, p.data.length))), () => `UDP payload of frame ${p.frame} is not the file's bytes at offset ${p.fileOffset}`);
      extractor.udp(p);
    },
    tcp: (s) => {
      check(s.frame === lastFrame, 'TCP segment names another frame');
      if (s.fileOffset !== undefined) check(s.fileOffset + s.data.length <= b.length && sameBytes(s.data.subarray(0, 16), b.subarray(s.fileOffset, s.fileOffset + Math.min(16, s.data.length))), () => `TCP payload of frame ${s.frame} is not the file's bytes at offset ${s.fileOffset}`);
      extractor.tcp(s);
    },
    problem: (p) => problems.push(p),
  }, fragOpts);
  const reader = createCaptureReader(kind, {
    frame: (f) => {
      lastFrame = f.frame;
      frameLen = f.data.length;
      decoder.frame(f);
      const st = extractor.tcpStats();
      check(st.allocatedBytes <= maxTotal, () => `TCP reassembly holds ${st.allocatedBytes} bytes, limit ${maxTotal}`);
      check(st.streams <= maxStreams + 1, () => `TCP reassembly tracks ${st.streams} streams, limit ${maxStreams}`);
      const pending = (decoder as unknown as { frags: { pendingCount: number } }).frags.pendingCount;
      check(pending <= maxPending, () => `${pending} incomplete datagrams held, limit ${maxPending}`);
    },
    problem: (p) => problems.push(p),
  });
  for (const c of randomChunks(b, rng)) reader.push(c);
  reader.end();
  decoder.end();
  extractor.end();
  for (const p of problems) checkProblem(p, { where: 'capture', size: b.length });
  let total = 0;
  for (const pdu of pdus) {
    check(pdu.frames.includes(pdu.frame) && pdu.frame <= lastFrame, () => `PDU frame ${pdu.frame} / frames ${pdu.frames}`);
    check(pdu.bytes.length <= Math.max(maxMessage, MAX_PACKET_BYTES), () => `PDU of ${pdu.bytes.length} bytes`);
    if (pdu.fileOffset !== undefined) check(pdu.fileOffset + pdu.bytes.length <= b.length && sameBytes(pdu.bytes.subarray(0, 16), b.subarray(pdu.fileOffset, pdu.fileOffset + Math.min(16, pdu.bytes.length))), () => `PDU of frame ${pdu.frame} is not the file's bytes at offset ${pdu.fileOffset}`);
    total += pdu.bytes.length;
    checkSipMessage(parseSipMessage(latin1(pdu.bytes)), `PDU of frame ${pdu.frame}`);
  }
  check(total <= 3 * b.length + 65536, () => `PDUs hold ${total} bytes from a ${b.length}-byte capture`);
}

// ---------------------------------------------------------------------------------------------
// trace: the whole engine, whole vs chunked
// ---------------------------------------------------------------------------------------------

function readTraceChunks(chunks: Uint8Array[]): { format: string | undefined; messages: TraceMessage[]; problems: Problem[] } {
  const messages: TraceMessage[] = [];
  const problems: Problem[] = [];
  const reader = new TraceReader({ message: (m) => messages.push(m), problem: (p) => problems.push(p) });
  for (const c of chunks) reader.push(c);
  reader.end();
  return { format: reader.format, messages, problems };
}

function runTrace(b: Uint8Array): void {
  const whole = readTraceChunks([b]);
  const chunked = readTraceChunks(randomChunks(b, rngOfBytes(b, 'trace')));
  check(whole.format === chunked.format, () => `format ${whole.format} whole, ${chunked.format} chunked`);
  check(whole.messages.length === chunked.messages.length, () => `${whole.messages.length} messages whole, ${chunked.messages.length} chunked`);
  whole.messages.forEach((m, i) => {
    const c = chunked.messages[i];
    check(m.sip.text === c.sip.text && m.frame === c.frame && m.line === c.line && m.fileOffset === c.fileOffset && JSON.stringify(m.lineMap) === JSON.stringify(c.lineMap), () => `message ${i} differs whole vs chunked`);
  });
  check(JSON.stringify(whole.problems) === JSON.stringify(chunked.problems), () => `problems differ whole vs chunked:\n${JSON.stringify(whole.problems).slice(0, 800)}\n${JSON.stringify(chunked.problems).slice(0, 800)}`);
  checkTrace(whole.messages, whole.problems, {
    size: b.length,
    format: whole.format,
    bytes: whole.format === 'log' ? undefined : b,
    logLines: whole.format === 'log' ? splitLogLines(b) : undefined,
  });
}

// ---------------------------------------------------------------------------------------------
// log: LogReader with small limits
// ---------------------------------------------------------------------------------------------

function runLog(b: Uint8Array): void {
  const rng = rngOfBytes(b, 'log');
  const opts = rng.chance(0.5) ? { maxLineLength: rng.pick([16, 200, 4096]), maxMessageBytes: rng.pick([64, 300, 8192]) } : {};
  const read = (chunks: Uint8Array[]) => {
    const messages: TraceMessage[] = [];
    const problems: Problem[] = [];
    const reader = new LogReader({
      message: (m) => messages.push({ index: messages.length, line: m.line, lineMap: m.lineMap, logFormat: m.format, transport: m.transport ?? 'unknown', sip: parseSipMessage(m.text, { octets: 'utf8' }) }),
      problem: (p) => problems.push(p),
    }, opts);
    for (const c of chunks) reader.push(c);
    reader.end();
    return { messages, problems };
  };
  const whole = read([b]);
  const chunked = read(randomChunks(b, rng));
  check(whole.messages.length === chunked.messages.length && whole.messages.every((m, i) => m.sip.text === chunked.messages[i].sip.text && JSON.stringify(m.lineMap) === JSON.stringify(chunked.messages[i].lineMap)), 'log messages differ whole vs chunked');
  check(JSON.stringify(whole.problems) === JSON.stringify(chunked.problems), () => `log problems differ whole vs chunked:\n${JSON.stringify(whole.problems).slice(0, 800)}\n${JSON.stringify(chunked.problems).slice(0, 800)}`);
  const maxMessage = Math.max(64, opts.maxMessageBytes ?? 1024 * 1024);
  for (const m of whole.messages) check(m.sip.text.length <= maxMessage + 2, () => `log message of ${m.sip.text.length} chars, limit ${maxMessage}`);
  checkTrace(whole.messages, whole.problems, { size: b.length, format: 'log', logLines: splitLogLines(b) });
}

// ---------------------------------------------------------------------------------------------
// sip: the parser and every value parser
// ---------------------------------------------------------------------------------------------

function within(s: { start: number; end: number } | undefined, h: SipHeader, what: string): void {
  if (!s) return;
  check(s.start >= h.span.start && s.end <= h.span.end && s.start <= s.end, () => `${what} of ${h.name}: span ${s.start}-${s.end} outside the header ${h.span.start}-${h.span.end}`);
}

function valueParsers(m: SipMessage): void {
  const text = m.text;
  const n = Math.min(m.headers.length, 300);
  for (let i = 0; i < n; i++) {
    const h = m.headers[i];
    const what = `header ${h.name}`;
    const probs = (ps: { span: { start: number; end: number } }[], tag: string) => ps.forEach((p) => check(p.span.start >= 0 && p.span.end <= text.length && p.span.start <= p.span.end, () => `${tag} problem span of ${h.name} outside the text`));
    const na = parseNameAddr(m, h);
    if (na.value) { within(na.value.span, h, 'name-addr'); checkUri(na.value.uri, text, what, h.span); }
    probs(na.problems, 'name-addr');
    const nal = parseNameAddrList(m, h);
    for (const v of nal.values) { within(v.span, h, 'name-addr list'); checkUri(v.uri, text, what, h.span); for (const p of v.params) within(p.span, h, 'param'); }
    probs(nal.problems, 'name-addr list');
    const via = parseVia(m, h);
    for (const v of via.values) { within(v.span, h, 'via'); for (const p of v.params) within(p.span, h, 'via param'); check(v.port === undefined || Number.isFinite(v.port), 'via port'); }
    probs(via.problems, 'via');
    const cs = parseCSeqHeader(m, h);
    if (cs.value) { within(cs.value.span, h, 'cseq'); within(cs.value.methodSpan, h, 'cseq method'); }
    probs(cs.problems, 'cseq');
    const tl = parseTokenListWithProblems(m, h);
    for (const v of tl.values) within(v.span, h, 'token');
    probs(tl.problems, 'token list');
    const pr = parseProductsWithProblems(m, h);
    for (const v of pr.values) within(v.span, h, 'product');
    probs(pr.problems, 'products');
    const cr = parseCredentialsWithProblems(m, h);
    if (cr.value) { within(cr.value.schemeSpan, h, 'scheme'); for (const p of cr.value.params) within(p.span, h, 'auth param'); }
    probs(cr.problems, 'credentials');
    for (const kind of ['token', 'media-type', 'media-range', 'star'] as const) {
      const vp = parseValueParams(m, h, kind, kind !== 'media-type');
      for (const v of vp.values) { within(v.span, h, kind); within(v.valueSpan, h, kind); for (const p of v.params) within(p.span, h, `${kind} param`); }
      probs(vp.problems, kind);
    }
    const num = parseNumberHeader(m, h);
    check(num.value === undefined || num.value >= 0, () => `${what}: number ${num.value}`);
    probs(num.problems, 'number');
    const extra: { span: { start: number; end: number } }[] = [];
    checkCallId(text, h.valueSpan.start, h.valueSpan.end, extra as never);
    checkDate(h.value, h.valueSpan, extra as never);
    checkWarning(text, h.valueSpan.start, h.valueSpan.end, extra as never);
    probs(extra, 'call-id/date/warning');
    checkUri(parseUri(text, h.valueSpan), text, `${what} as URI`, h.span);
    for (const p of parseParams(text, h.valueSpan.start, h.valueSpan.end)) within(p.span, h, 'params');
  }
}

function runSip(b: Uint8Array): void {
  const text = latin1(b);
  const m = parseSipMessage(text);
  checkSipMessage(m);
  valueParsers(m);
  const u = parseSipMessage(dec.decode(b), { octets: 'utf8' });
  checkSipMessage(u, 'utf8 message');
  const nv = parseSipMessage(text, { validate: false });
  checkSipMessage(nv, 'unvalidated message');
  check(nv.headers.length === m.headers.length, 'validation changed the headers');
}

function sipInput(seed: number, index: number): Uint8Array {
  const rng = rngFor('sip', seed, index);
  if (index % 3 === 0) return enc.encode(messageText(sampleAt(message, seed, index)));
  const seeds = loadSeeds().messages;
  const base = seeds[rng.int(seeds.length)];
  if (index % 16 === 1) return base.slice();
  return havoc(rng, base, seeds[rng.int(seeds.length)]);
}

// ---------------------------------------------------------------------------------------------
// writer: round trips
// ---------------------------------------------------------------------------------------------

/** The parsed structure of a header by its table grammar, spans removed (as in writer.test.ts). */
function structOf(m: SipMessage, h: SipHeader): string {
  const spec = headerSpec(h.key);
  const g = spec?.grammar ?? 'text';
  let v: unknown;
  switch (g) {
    case 'name-addr': v = parseNameAddr(m, h).value; break;
    case 'name-addr-list': v = parseNameAddrList(m, h).values; break;
    case 'via': v = parseVia(m, h).values; break;
    case 'cseq': { const c = parseCSeqHeader(m, h).value; v = c && [c.num, c.method]; break; }
    case 'token-list': v = parseTokenListWithProblems(m, h).values.map((t) => t.token); break;
    case 'products': v = parseProductsWithProblems(m, h).values; break;
    case 'credentials': v = parseCredentialsWithProblems(m, h).value; break;
    case 'delta-seconds':
    case 'integer': v = parseNumberHeader(m, h).value; break;
    case 'token-params':
    case 'media-type': v = parseValueParams(m, h, g === 'media-type' ? 'media-type' : 'token', false).values; break;
    case 'token-params-list':
    case 'media-range-list':
    case 'star-params-list': v = parseValueParams(m, h, g === 'star-params-list' ? 'star' : g === 'media-range-list' ? 'media-range' : 'token').values; break;
    default: v = h.value;
  }
  // What the writer normalises on purpose is left out of the comparison: a sip/sips/tel URI is
  // rebuilt from its parts (scheme case, RFC 3261 §19.1.4; leading zeros of a port), so its parts
  // are compared, not its text; Digest parameters are always written quoted (RFC 3261 §25.1
  // digest-response), so their unquoted value is compared; folding is one SP (§7.3.1).
  const rebuilt = (o: Record<string, unknown>) => o.scheme === 'sip' || o.scheme === 'sips' || o.scheme === 'tel';
  return JSON.stringify(v ?? null, function (this: Record<string, unknown>, k, x) {
    if (/^span$|Span$/.test(k)) return undefined;
    if (k === 'text' && typeof x === 'string') return rebuilt(this) ? undefined : x.replace(/^[A-Za-z][A-Za-z0-9+.-]*:/, (s) => s.toLowerCase());
    if (k === 'value' && g === 'credentials' && typeof this.unquoted === 'string') return undefined;
    return x;
  }).replace(/(\\r\\n|\\n)(\\t| )+/g, ' ');
}

function runWriter(b: Uint8Array): void {
  const m = parseSipMessage(latin1(b));
  checkSipMessage(m);
  // Past the problem cap a header may have lost its problems: "clean" cannot be told.
  if (!m.startLine || m.problems.length >= 500) return;
  const clean = m.headers.slice(0, 200).filter((h) => !m.problems.some((p) => p.span.start < h.span.end && p.span.end > h.span.start && p.severity !== 'info') && !m.problems.some((p) => p.span.start === p.span.end && p.span.start >= h.span.start && p.span.start <= h.span.end && p.severity !== 'info'));
  const lines: string[] = [];
  for (const h of clean) {
    const line = formatParsedHeader(m, h);
    check(line !== undefined, () => `writer: no line for clean header ${JSON.stringify(m.text.slice(h.span.start, h.span.end)).slice(0, 200)}`);
    check(!/[\r\n]/.test(line), () => `writer: line break written in ${JSON.stringify(line).slice(0, 200)}`);
    const again = parseSipMessage(`SIP/2.0 200 OK\r\n${line}\r\nContent-Length: 0\r\n\r\n`);
    const h2 = again.headers[0];
    check(h2 !== undefined && h2.key === h.key, () => `writer: ${JSON.stringify(line).slice(0, 200)} reads back as another header`);
    const own = again.problems.filter((p) => p.span.start < h2.span.end && p.severity !== 'info');
    check(own.length === 0, () => `writer: clean header ${JSON.stringify(m.text.slice(h.span.start, h.span.end)).slice(0, 200)} written as ${JSON.stringify(line).slice(0, 200)} has problems: ${own.map((p) => p.message).join('; ').slice(0, 300)}`);
    const was = structOf(m, h);
    const now = structOf(again, h2);
    check(was === now, () => `writer: round trip changed ${h.name}\n  was:     ${JSON.stringify(m.text.slice(h.span.start, h.span.end)).slice(0, 300)}\n  written: ${JSON.stringify(line).slice(0, 300)}\n  before:  ${was.slice(0, 300)}\n  after:   ${now.slice(0, 300)}`);
    if (h.key !== 'content-length') lines.push(line);
  }
  const sl = m.text.slice(m.startLine.span.start, m.startLine.span.end);
  const body = m.text.slice(m.bodySpan.start, m.bodySpan.end);
  const again = parseSipMessage(formatMessage({ startLine: sl, headers: lines, body }));
  checkSipMessage(again, 'rewritten message');
  check(again.headers.length === lines.length + 1, () => `rewritten message has ${again.headers.length} headers, wrote ${lines.length + 1}`);
  check(again.text.slice(again.bodySpan.start, again.bodySpan.end) === body, 'rewritten message lost its body');
}

// ---------------------------------------------------------------------------------------------
// register: the rule engine over parsed flows
// ---------------------------------------------------------------------------------------------

interface FlowInput {
  texts: string[];
  /** Seconds between messages; null = no timestamp. */
  gaps: (number | null)[];
  transport: 'UDP' | 'TCP';
  profile: 'auto' | 'generic' | 'ims';
}

function registerInput(seed: number, index: number): FlowInput {
  const rng = rngFor('register', seed, index);
  const flows = loadSeeds().flows;
  let texts = [...rng.pick(flows)];
  const edits = rng.skewed(8);
  for (let i = 0; i < edits; i++) {
    const k = rng.int(texts.length);
    switch (rng.int(6)) {
      case 0: texts.splice(k, 1); break;
      case 1: texts.splice(rng.int(texts.length + 1), 0, texts[k]); break;
      case 2: { const j = rng.int(texts.length); [texts[k], texts[j]] = [texts[j], texts[k]]; break; }
      default: texts[k] = latin1(mutateSipText(rng, enc.encode(texts[k]))); break;
    }
    if (texts.length === 0) texts = [rng.pick(flows)[0]];
  }
  const gaps = texts.map(() => (rng.chance(0.1) ? null : rng.pick([0, 0.001, 1, 1, 2, 31, 33, 65, 3600, 100000, -5])));
  return { texts, gaps, transport: rng.chance(0.7) ? 'UDP' : 'TCP', profile: rng.pick(['auto', 'generic', 'ims'] as const) };
}

function runRegister(input: FlowInput): void {
  const messages: TraceMessage[] = [];
  let t = 1700000000;
  input.texts.forEach((text, index) => {
    const gap = input.gaps[index];
    if (gap !== null && gap !== undefined) t += gap;
    const m: TraceMessage = { index, frame: index + 1, frames: [index + 1], transport: input.transport, src: { ip: '192.0.2.10', port: 5060 }, dst: { ip: '192.0.2.1', port: 5060 }, sip: parseSipMessage(text) };
    if (gap !== null && gap !== undefined) m.ts = { sec: Math.floor(t), nsec: Math.round((t - Math.floor(t)) * 1e6) * 1000 };
    messages.push(m);
  });
  const checker = new RegisterChecker(resolveSettings({ profile: input.profile }));
  for (const m of messages) checker.add(m);
  const r = checker.end();
  checkFindings(r.findings, messages);
  for (const e of r.exchanges as unknown as { requestIndex?: number; responseIndexes?: number[] }[]) {
    check(e.requestIndex === undefined || (e.requestIndex >= 0 && e.requestIndex < messages.length), () => `exchange names request ${e.requestIndex}`);
    for (const i of e.responseIndexes ?? []) check(i >= 0 && i < messages.length, () => `exchange names response ${i}`);
  }
}

// ---------------------------------------------------------------------------------------------
// tcp: segmentation does not change what comes out
// ---------------------------------------------------------------------------------------------

function runTcp(c: StreamCase): void {
  const stream = enc.encode(c.messages.join(''));
  const bounds = [0, ...c.cuts, stream.length];
  const segments = bounds.slice(0, -1).map((s, i) => ({ off: s, data: stream.subarray(s, bounds[i + 1]) }));
  const pdus: SipPdu[] = [];
  const problems: Problem[] = [];
  const x = new SipExtractor({ pdu: (p) => pdus.push({ ...p, bytes: p.bytes.slice() }), problem: (p) => problems.push(p) });
  const src = { ip: '192.0.2.10', port: 40000 }, dst = { ip: '192.0.2.1', port: 5060 };
  let frame = 0;
  if (c.syn) x.tcp({ frame: ++frame, ts: { sec: 1, nsec: 0 }, transport: 'TCP', src, dst, data: new Uint8Array(0), seq: c.isn, flags: 0x02 });
  const base = c.syn ? (c.isn + 1) >>> 0 : c.isn;
  // Without a SYN the first segment seen fixes the stream start: it must be the first one.
  const order = c.syn ? c.order : [0, ...c.order.filter((i) => i !== 0)];
  for (const i of order) {
    const s = segments[i];
    if (!s) continue;
    x.tcp({ frame: ++frame, ts: { sec: 1, nsec: frame }, transport: 'TCP', src, dst, data: s.data, seq: (base + s.off) >>> 0, flags: 0x18 });
  }
  x.end();
  const want = c.messages.map((m) => m.replace(/^(\r\n)+/, ''));
  const got = pdus.map((p) => dec.decode(p.bytes));
  check(JSON.stringify(got) === JSON.stringify(want), () => `TCP: ${got.length} messages out, ${want.length} in; first difference at ${got.findIndex((g, i) => g !== want[i])}\n  got:  ${JSON.stringify(got).slice(0, 400)}\n  want: ${JSON.stringify(want).slice(0, 400)}`);
  check(problems.length === 0, () => `TCP: problems on a clean stream: ${JSON.stringify(problems).slice(0, 500)}`);
}

// ---------------------------------------------------------------------------------------------
// fragments: a datagram survives any fragmentation
// ---------------------------------------------------------------------------------------------

function runFragments(c: FragmentCase): void {
  const payload = enc.encode(c.message);
  const dgram = udp(5060, 5060, payload);
  const frags = c.v6 ? fragmentIpv6(17, dgram, c.size, c.id) : fragmentIpv4(dgram, c.size, { id: c.id });
  const got: Uint8Array[] = [];
  const problems: Problem[] = [];
  const d = new PacketDecoder({ udp: (p) => got.push(p.data.slice()), tcp: () => fail('TCP from a UDP datagram'), problem: (p) => problems.push(p) });
  const order = fragmentOrder(c, frags.length);
  order.forEach((i, k) => d.frame({ frame: k + 1, linkType: 1, ts: { sec: 1000, nsec: k }, data: ethernet(c.v6 ? 0x86dd : 0x0800, frags[i]), origLen: 0, fileOffset: 0, interfaceId: 0 }));
  d.end();
  if (payload.length + 8 > 65535) {
    check(got.length === 0, 'an oversized datagram was reassembled');
    return;
  }
  check(got.length === 1, () => `fragments: ${got.length} datagrams out of ${frags.length} fragments (order ${order}); problems ${JSON.stringify(problems).slice(0, 400)}`);
  check(sameBytes(got[0], payload), 'fragments: reassembled payload differs');
  check(problems.length === 0, () => `fragments: problems for clean fragments: ${JSON.stringify(problems).slice(0, 400)}`);
}

// ---------------------------------------------------------------------------------------------

function jsonTarget<I>(name: string, description: string, input: (seed: number, index: number) => I, run: (i: I) => void, budget = 5000): Target<I> {
  return {
    name,
    description,
    input,
    run,
    encode: (i) => ({ bytes: enc.encode(JSON.stringify(i)), ext: 'json' }),
    decode: (b) => JSON.parse(dec.decode(b)) as I,
    budgetMs: () => budget,
  };
}

const captures = () => loadSeeds().captures;
const logs = () => loadSeeds().logs;
const everything = () => [...loadSeeds().captures, ...loadSeeds().logs];

export const TARGETS: Target<any>[] = [
  bytesTarget('capture', 'pcap/pcapng readers: whole vs chunked, frames point into the file', captures, runCapture),
  bytesTarget('net', 'PacketDecoder + fragments + TCP reassembly + SIP framing under small limits', captures, runNet),
  bytesTarget('trace', 'TraceReader end to end on captures and logs, whole vs chunked', everything, runTrace),
  bytesTarget('log', 'LogReader with small limits: line maps point at the log text', logs, runLog),
  { ...bytesTarget('sip', 'parseSipMessage and every value parser', () => loadSeeds().messages, runSip), input: sipInput },
  { ...bytesTarget('writer', 'writer round trip: format -> parse gives the same structure', () => loadSeeds().messages, runWriter), input: sipInput },
  // 15 s: a REGISTER with 10 000 Contacts takes the rule engine seconds (a known, reported
  // quadratic, see register-many-contacts.json); the budget is for hangs.
  jsonTarget('register', 'RegisterChecker over mutated, reordered, retimed flows', registerInput, runRegister, 15000),
  jsonTarget('tcp', 'a SIP stream cut, reordered and duplicated gives exactly its messages', (seed, index) => sampleAt(streamCase, seed, index), runTcp),
  jsonTarget('fragments', 'a SIP datagram cut into IPv4/IPv6 fragments comes out whole', (seed, index) => sampleAt(fragmentCase, seed, index), runFragments),
];

export function targetByName(name: string): Target<any> | undefined {
  return TARGETS.find((t) => t.name === name);
}

/**
 * Differential test: for every capture in our fixtures and in the public corpus, the SIP messages
 * we find must equal what Wireshark's tshark lists (frame, method or status, Call-ID, CSeq).
 * Where we differ on purpose, KNOWN_DIFFERENCES names the file, the frame and the reason;
 * every other difference fails the test.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { readTraceBytes } from '../../../src/core/trace';
import { headersOf } from '../../../src/core/sip/parser';
import { corpusPresent, corpusRoot, fixturesRoot, listFiles, repoRoot } from '../../helpers/paths';

const CAPTURE = (n: string) => /\.(pcap|pcapng|cap)$/i.test(n);

const tsharkVersion = (() => {
  const r = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0] : undefined;
})();

/** One row per frame: what is decoded as SIP in that frame. */
interface Row {
  frame: number;
  what: string; // "REGISTER" / "401" ; several messages in one frame joined by ","
  callId: string;
  cseq: string;
}

interface KnownDifference {
  /** Path suffix of the capture. */
  file: string;
  frame: number;
  /** What we report in that frame ('' = nothing). */
  ours: string;
  /** What tshark reports in that frame ('' = nothing). */
  tshark: string;
  reason: string;
}

/**
 * Differences we make on purpose, each checked to still hold (a stale entry fails too).
 * Filled from running this test against tshark 4.0.17; see the reasons.
 */
const FUZZ = 'nDPI/fuzz-2006-06-26-2594.pcap';
const FUZZ_TOLERANT = 'fuzzed bytes in the start line (NUL, a 2-digit status, a garbled method line): tshark\'s SIP heuristic rejects the datagram as data; we recognise the SIP message and report it with its SIP-PARSE-001 problems, so nothing is dropped silently';
const KNOWN_DIFFERENCES: KnownDifference[] = [
  { file: 'captures/tcp/tcp-out-of-order.pcap', frame: 8, ours: 'REGISTER', tshark: '', reason: 'the two segments of this REGISTER were swapped on purpose (scripts/fixtures/pcap-rewrite.js tcp-reorder); tshark 4.0 does not reassemble the out-of-order pair, we do (the correct answer has 4 messages, MANIFEST.json)' },
  { file: FUZZ, frame: 108, ours: '401', tshark: '', reason: FUZZ_TOLERANT },
  { file: FUZZ, frame: 154, ours: '?', tshark: '', reason: FUZZ_TOLERANT },
  { file: FUZZ, frame: 274, ours: '40', tshark: '', reason: FUZZ_TOLERANT },
  { file: FUZZ, frame: 346, ours: 'INVITE', tshark: '', reason: FUZZ_TOLERANT },
  { file: FUZZ, frame: 348, ours: '403', tshark: '', reason: FUZZ_TOLERANT },
  { file: FUZZ, frame: 247, ours: '?', tshark: 'CANCEL', reason: 'the start line ends with a bare CR (0x0D 0x37): RFC 3261 §7 ends lines with CRLF, so we report the start line as malformed (SIP-PARSE-001); tshark treats a lone CR as a line end' },
  { file: FUZZ, frame: 527, ours: '200', tshark: '200', reason: 'the datagram ends inside its only CSeq header (no line end, then 0xAA filler): we report that one CSeq; tshark lists the sip.CSeq field twice for it' },
  { file: FUZZ, frame: 266, ours: 'CANCEL', tshark: 'CANCEL', reason: 'the CSeq line ends with CR VT (0x0D 0x0B): without CRLF the next header stays inside the CSeq value for us (flagged as a control character, SIP-PARSE-001); tshark ends the line at the lone CR' },
];

/**
 * Field values are compared after the two tools' display conventions are removed: tshark shows
 * strings as C strings (cut at the first NUL) and invalid UTF-8 as U+FFFD, while we keep every
 * byte (latin1). Each run of non-ASCII characters becomes one '?', and values end at a NUL.
 */
function normalizeValue(v: string): string {
  const nul = v.indexOf('\u0000');
  return (nul >= 0 ? v.slice(0, nul) : v).replace(/[^\x20-\x7e]+/g, '?').replace(/\s+/g, ' ').trim();
}

function tsharkRows(file: string): Row[] {
  const r = spawnSync('tshark', ['-n', '-r', file, '-Y', 'sip', '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,',
    '-e', 'frame.number', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'sip.Call-ID', '-e', 'sip.CSeq'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const rows: Row[] = [];
  for (const line of r.stdout.split('\n')) {
    if (!line.trim()) continue;
    const [frame, method, status, callId, cseq] = line.split('\t');
    // tshark lists a request's method and, for responses, also the CSeq method in sip.Method; keep
    // the start-line view: status when present, else method.
    const what = status ? status : method;
    rows.push({ frame: Number(frame), what: what ?? '', callId: (callId ?? '').split(',').map(normalizeValue).join(','), cseq: (cseq ?? '').split(',').map(normalizeValue).join(',') });
  }
  return rows;
}

function ourRows(file: string): { rows: Row[]; problems: string[] } {
  const { messages, problems } = readTraceBytes(new Uint8Array(fs.readFileSync(file)));
  const byFrame = new Map<number, { what: string[]; callId: string[]; cseq: string[] }>();
  for (const m of messages) {
    const f = m.frame ?? -1;
    const e = byFrame.get(f) ?? { what: [], callId: [], cseq: [] };
    const sl = m.sip.startLine;
    e.what.push(sl?.kind === 'request' ? sl.method : sl?.kind === 'response' ? String(sl.status) : '?');
    // Like tshark's `-E occurrence=a`: every occurrence of the header, comma-joined.
    e.callId.push(headersOf(m.sip, 'call-id').map((h) => normalizeValue(h.value)).join(','));
    e.cseq.push(headersOf(m.sip, 'cseq').map((h) => normalizeValue(h.value)).join(','));
    byFrame.set(f, e);
  }
  const rows = [...byFrame.entries()].sort((a, b) => a[0] - b[0]).map(([frame, e]) => ({ frame, what: e.what.join(','), callId: e.callId.join(','), cseq: e.cseq.join(',') }));
  return { rows, problems: problems.map((p) => `${p.code}@${p.frame ?? p.offset}`) };
}

function compare(file: string): { agreed: number; diffs: string[]; usedKnown: KnownDifference[] } {
  const rel = path.relative(path.dirname(repoRoot), file);
  const theirs = new Map(tsharkRows(file).map((r) => [r.frame, r]));
  const ours = new Map(ourRows(file).rows.map((r) => [r.frame, r]));
  const frames = [...new Set([...theirs.keys(), ...ours.keys()])].sort((a, b) => a - b);
  const diffs: string[] = [];
  const usedKnown: KnownDifference[] = [];
  let agreed = 0;
  for (const f of frames) {
    const t = theirs.get(f);
    const o = ours.get(f);
    const same = t && o && t.what === o.what && t.callId === o.callId && t.cseq === o.cseq;
    if (same) {
      agreed++;
      continue;
    }
    const known = KNOWN_DIFFERENCES.find((k) => rel.endsWith(k.file) && k.frame === f && k.ours === (o?.what ?? '') && k.tshark === (t?.what ?? ''));
    if (known) {
      usedKnown.push(known);
      continue;
    }
    diffs.push(`${rel} frame ${f}: ours=${o ? `${o.what} [${o.callId}] [${o.cseq}]` : '-'} tshark=${t ? `${t.what} [${t.callId}] [${t.cseq}]` : '-'}`);
  }
  return { agreed, diffs, usedKnown };
}

const captures = [
  ...listFiles(path.join(fixturesRoot, 'captures'), CAPTURE),
  ...(corpusPresent ? listFiles(path.join(corpusRoot, 'pcap'), CAPTURE) : []),
];

test('differential: our SIP messages equal tshark\'s for every capture', { skip: !tsharkVersion ? 'tshark is not installed (scripts/install-test-deps.sh installs it)' : false }, (t) => {
  if (!corpusPresent) t.diagnostic(`corpus absent at ${corpusRoot}: only our own fixtures are compared`);
  t.diagnostic(`reference: ${tsharkVersion}`);
  assert.ok(captures.length > 0, 'no captures found');
  const allDiffs: string[] = [];
  const used = new Set<KnownDifference>();
  let agreed = 0;
  for (const file of captures) {
    const r = compare(file);
    agreed += r.agreed;
    allDiffs.push(...r.diffs);
    r.usedKnown.forEach((k) => used.add(k));
  }
  t.diagnostic(`${captures.length} captures, ${agreed} frames agree, ${used.size} known differences`);
  const stale = KNOWN_DIFFERENCES.filter((k) => !used.has(k) && captures.some((c) => c.endsWith(k.file)));
  assert.deepEqual(allDiffs, [], 'unexplained differences from tshark');
  assert.deepEqual(stale.map((k) => `${k.file}#${k.frame}`), [], 'known differences that no longer occur');
});

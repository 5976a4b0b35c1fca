/**
 * The rule engine's speed-ups must not change a single answer: the rewritten scanners are checked
 * against the expressions they replaced (kept here as references) on edge cases and on seeded
 * random inputs, and the parse memo (validation -> facts) against fresh parses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIPv4, skipLws, skipLwsBack, scanQuoted, report, type ProblemOut } from '../../../src/core/sip/uri';
import { parseCSeqHeader, parseCredentialsWithProblems, parseNameAddr, parseNameAddrList, parseTokenListWithProblems, parseVia, splitList, MAX_LIST_VALUES } from '../../../src/core/sip/values';
import { parseSipMessage, firstHeader, headersOf } from '../../../src/core/sip/parser';
import { canonicalHeaderKey } from '../../../src/core/sip/headerTable';
import { tokenizeServerVal } from '../../../src/core/rules/helpers';
import type { Span } from '../../../src/core/types';

/** The regex isIPv4 replaced. */
function isIPv4Regex(s: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  return !!m && m.slice(1).every((x) => Number(x) <= 255);
}

/** The closure-based splitList the one-pass version replaced. */
function splitListReference(text: string, start: number, end: number, problems: ProblemOut, what: string, opts: { parens?: boolean; emptyOk?: boolean } = {}): Span[] {
  const out: Span[] = [];
  const s0 = skipLws(text, start, end);
  if (s0 >= end) {
    if (!opts.emptyOk) report(problems, start, end, `empty ${what} value`);
    return out;
  }
  let itemStart = start;
  let angle = false;
  let depth = 0;
  let capped = false;
  let empty = 0;
  const push = (s: number, e: number, comma: number): void => {
    const ts = skipLws(text, s, e);
    const te = skipLwsBack(text, ts, e);
    if (ts >= te) {
      if (empty++ === 0) report(problems, comma, comma + 1, `empty item in the comma-separated ${what} list`);
      return;
    }
    if (out.length >= MAX_LIST_VALUES) {
      if (!capped) report(problems, ts, end, `more than ${MAX_LIST_VALUES} ${what} values; the rest are not kept`, 'warning');
      capped = true;
      return;
    }
    out.push({ start: ts, end: te });
  };
  for (let p = start; p < end; p++) {
    const c = text.charCodeAt(p);
    if (c === 0x22) {
      const q = scanQuoted(text, p, end);
      if (q < 0) break;
      p = q - 1;
    } else if (angle) {
      if (c === 0x3e) angle = false;
    } else if (c === 0x3c) angle = true;
    else if (opts.parens && c === 0x28) depth++;
    else if (opts.parens && c === 0x29 && depth > 0) depth--;
    else if (c === 0x2c && depth === 0) {
      push(itemStart, p, p);
      itemStart = p + 1;
    }
  }
  push(itemStart, end, itemStart > start ? itemStart - 1 : start);
  if (empty > 1) report(problems, start, end, `${empty - 1} more empty items in the comma-separated ${what} list`);
  return out;
}

/** Small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomText(r: () => number, alphabet: string, maxLen: number): string {
  const n = Math.floor(r() * maxLen);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}

test('isIPv4 answers as the regex it replaced', () => {
  const cases = ['1.2.3.4', '255.255.255.255', '256.1.1.1', '001.002.003.004', '1.2.3', '1.2.3.4.', '.1.2.3.4', '1234.1.1.1', '1.2.3.4567', '', '1..2.3', '1.2.3.4\n', ' 1.2.3.4', '10.64.0.1', '0.0.0.0', '١.2.3.4'];
  for (const c of cases) assert.equal(isIPv4(c), isIPv4Regex(c), JSON.stringify(c));
  const r = rng(7);
  for (let i = 0; i < 20000; i++) {
    const s = randomText(r, '0123456789.25a ', 18);
    assert.equal(isIPv4(s), isIPv4Regex(s), JSON.stringify(s));
  }
  assert.equal(isIPv4('192.168.1.1'), true);
  assert.equal(isIPv4('192.168.1.256'), false);
});

test('splitList gives the items and problems of the closure-based version', () => {
  const r = rng(11);
  const alphabet = 'ab ,,"\\<>()\t\r\n;=x';
  for (let i = 0; i < 20000; i++) {
    const text = randomText(r, alphabet, 30);
    const start = Math.floor(r() * 3);
    const end = Math.max(start, text.length - Math.floor(r() * 3));
    const opts = [undefined, {}, { parens: true }, { emptyOk: true }, { parens: true, emptyOk: true }][i % 5];
    const a: ProblemOut = [];
    const b: ProblemOut = [];
    const got = splitList(text, start, end, a, 'X', opts);
    const want = splitListReference(text, start, end, b, 'X', opts);
    assert.deepEqual(got, want, JSON.stringify({ text, start, end, opts }));
    assert.deepEqual(a, b, JSON.stringify({ text, start, end, opts }));
  }
  assert.deepEqual(splitList('<sip:a@b,c>, "x,y" <sip:d@e>', 0, 28, undefined, 'Contact'), [
    { start: 0, end: 11 },
    { start: 13, end: 28 },
  ]);
});

const REGISTER =
  'REGISTER sip:ims.example.net SIP/2.0\r\n' +
  'Via: SIP/2.0/TCP 10.64.0.1:48083;branch=z9hG4bKg1vso42dho;rport\r\n' +
  'v: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKx, SIP/2.0/UDP 10.0.0.10\r\n' +
  'From: <sip:u000000@ims.example.net>;tag=ap9c2wyq1r\r\n' +
  'To: "A" <sip:u000000@ims.example.net>\r\n' +
  'Call-ID: s2z3dlsa9c-0@bench.invalid\r\n' +
  'CSeq: 1 REGISTER\r\n' +
  'Contact: <sip:u000000@10.64.0.1:48083>;+g.oma.sip-im;expires=60, <sip:x@y>;q=0.5\r\n' +
  'Supported: path, gruu\r\n' +
  'Authorization: Digest username="u", realm="ims.example.net", nonce="n1", uri="sip:ims.example.net", response="r"\r\n' +
  'User-Agent: IM-client/OMA1.0 Fixture/1.0\r\n' +
  'Content-Length: 0\r\n\r\n';

test('the parse memo hands each validated result to one reader, equal to a fresh parse', () => {
  const msg = parseSipMessage(REGISTER);
  const fresh = parseSipMessage(REGISTER, { validate: false });
  const pairs: [string, (m: typeof msg, h: NonNullable<ReturnType<typeof firstHeader>>) => unknown][] = [
    ['via', parseVia],
    ['from', parseNameAddr],
    ['to', parseNameAddr],
    ['contact', parseNameAddrList],
    ['cseq', parseCSeqHeader],
    ['supported', parseTokenListWithProblems],
    ['authorization', parseCredentialsWithProblems],
  ];
  for (const [key, parse] of pairs) {
    const rows = headersOf(msg, key);
    const freshRows = headersOf(fresh, key);
    assert.ok(rows.length > 0, key);
    rows.forEach((h, i) => {
      const first = parse(msg, h);
      const second = parse(msg, h);
      // the same values as a parse of a message that was never validated
      assert.deepEqual(first, parse(fresh, freshRows[i]), key);
      assert.deepEqual(second, first, key);
      // one owner each: the second reader gets its own objects
      assert.notEqual(second, first, key);
    });
  }
  assert.equal(parseVia(msg, headersOf(msg, 'via')[1]).values.length, 2);
});

test('canonicalHeaderKey: known spellings answer as the lower-casing did', () => {
  for (const name of ['Via', 'v', 'V', 'via', 'VIA', 'Call-ID', 'call-id', 'i', 'I', 'CSeq', 'cseq', 'm', 'Contact', 'X-Custom', 'x', 'WWW-Authenticate', 'k', 'K']) {
    const got = canonicalHeaderKey(name);
    const lower = name.toLowerCase();
    const compact = lower.length === 1 && ['a', 'b', 'c', 'd', 'e', 'f', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'r', 's', 't', 'u', 'v', 'x', 'y'].includes(lower);
    assert.equal(got.compact, compact, name);
    if (!compact) assert.equal(got.key, lower, name);
  }
  assert.equal(canonicalHeaderKey('v').key, 'via');
  assert.equal(canonicalHeaderKey('M').key, 'contact');
  assert.equal(firstHeader(parseSipMessage(REGISTER), 'V')?.value, 'SIP/2.0/TCP 10.64.0.1:48083;branch=z9hG4bKg1vso42dho;rport');
});

test('tokenizeServerVal: a repeated call gives the same answer as the first', () => {
  const text = 'xx IM-client/OMA1.0 (Linux; x) Fixture/1.0;bad ,y';
  const span = { start: 3, end: text.length };
  const a = tokenizeServerVal(text, span);
  const b = tokenizeServerVal(text, { start: 3, end: text.length });
  assert.deepEqual(b, a);
  assert.deepEqual(
    a.items.map((i) => [i.kind, i.name, i.version]),
    [
      ['product', 'IM-client', 'OMA1.0'],
      ['comment', undefined, undefined],
      ['product', 'Fixture', '1.0'],
      ['product', 'bad', undefined],
      ['product', 'y', undefined],
    ],
  );
  assert.deepEqual(
    a.problems.map((p) => p.span.start),
    [42, 47],
  );
  // another span of another text is tokenized afresh
  assert.deepEqual(tokenizeServerVal('A/1 B', { start: 0, end: 5 }).items.map((i) => i.name), ['A', 'B']);
});

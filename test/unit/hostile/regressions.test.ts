/**
 * Every crash, hang or broken invariant the fuzzer (or the hostile cases) found, kept as a small
 * named fixture in test/fixtures/hostile/ and replayed here through the fuzz target that found
 * it, plus a scaled-up version generated in the test where the fixture had to stay under 8 KB.
 * Inputs a campaign saved under test/fixtures/hostile/found/ are replayed too: each must pass
 * once its bug is fixed (rule-engine finds skip themselves, with the reason, until the rule
 * engine's owner fixes them).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { latin1 } from '../../../src/core/bytes';
import { detectFormat } from '../../../src/core/capture/detect';
import { LogReader } from '../../../src/core/logs/index';
import { ansiBounds, makePrefixMatcher } from '../../../src/core/logs/text';
import { parseSipMessage } from '../../../src/core/sip/parser';
import { unfold } from '../../../src/core/sip/uri';
import { formatHeader, formatParsedHeader } from '../../../src/core/sip/writer';
import { readTraceBytes, TraceReader } from '../../../src/core/trace';
import { RegisterChecker } from '../../../src/core/register/index';
import { resolveSettings } from '../../../src/core/settings';
import type { TraceMessage } from '../../../src/core/types';
import { checkSipMessage } from '../../fuzz/invariants';
import { runOne } from '../../fuzz/campaign';
import { targetByName } from '../../fuzz/targets';
import { fixturesRoot } from '../../helpers/paths';
import { HANG_GUARD_MS } from '../../helpers/hangGuard';

const dir = path.join(fixturesRoot, 'hostile');

function fixture(name: string): Uint8Array {
  const b = fs.readFileSync(path.join(dir, name));
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Runs `input` through fuzz target `entry` and asserts every invariant holds. */
function passes(entry: string, input: Uint8Array): void {
  const t = targetByName(entry);
  assert.ok(t, entry);
  const o = runOne(t, t.decode(input));
  assert.ok(o.ok, `${entry}: ${o.kind}: ${o.message}`);
}

function ms<T>(fn: () => T): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

test('fixtures are small (< 8 KB each)', () => {
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) assert.ok(fs.statSync(p).size < 8192, `${f}: ${fs.statSync(p).size} bytes`);
  }
});

test('sip-content-length-40-digits.sip: no contentLength of Infinity (parser.ts setBody)', () => {
  const b = fixture('sip-content-length-40-digits.sip');
  const m = parseSipMessage(latin1(b));
  checkSipMessage(m);
  assert.equal(m.contentLength, undefined);
  assert.equal(m.bodySpan.end, m.text.length);
  assert.ok(m.problems.some((p) => /Content-Length 9{10}.*is out of range/.test(p.message)));
  const nv = parseSipMessage(latin1(b), { validate: false });
  assert.equal(nv.contentLength, undefined);
  assert.ok(nv.problems.some((p) => /Content-Length '9+' is out of range/.test(p.message)));
  for (const e of ['sip', 'writer']) passes(e, b);
});

test('sip-folded-blank-run.sip: unfolding is linear (uri.ts unfold); 1 MB of blanks in a folded header', () => {
  const b = fixture('sip-folded-blank-run.sip');
  passes('sip', b);
  const m = parseSipMessage(latin1(b));
  assert.equal(m.headers.find((h) => h.key === 'subject')?.value, 'a' + ' '.repeat(6000) + 'x folded y');
  const big = latin1(b).replace(' '.repeat(6000), ' '.repeat(1024 * 1024));
  assert.ok(ms(() => parseSipMessage(big)) < HANG_GUARD_MS); // quadratic: about 1000 s
  // unfold keeps what the regex it replaced gave
  for (const s of ['a\r\n b', 'a \t\r\n\t b', 'a\n\nb', 'a\r \n b', '\r\n', 'a\rb', ' x \r\n', 'a\n \n b']) {
    assert.equal(unfold(s), s.replace(/[ \t]*\r?\n[ \t]*/g, ' '), JSON.stringify(s));
  }
});

test('sip-reply-to-comma-addr-spec.sip: an addr-spec with a comma is reported (values.ts), so the writer brackets it knowingly', () => {
  const b = fixture('sip-reply-to-comma-addr-spec.sip');
  const m = parseSipMessage(latin1(b));
  const h = m.headers.find((x) => x.key === 'reply-to')!;
  const p = m.problems.find((x) => /contains ',' and must be enclosed in '<' '>' \(RFC 3261 §20\)/.test(x.message));
  assert.ok(p, m.problems.map((x) => x.message).join('\n'));
  assert.equal(m.text.slice(p.span.start, p.span.end), 'sip:g,6k:8@joxek5rmu.example');
  assert.equal(formatParsedHeader(m, h), 'Reply-To: <sip:g,6k:8@joxek5rmu.example>;x=1');
  for (const e of ['sip', 'writer']) passes(e, b);
});

test('sip-subject-nbsp.sip: the writer trims SP/HTAB only (writer.ts), a trailing U+00A0 survives', () => {
  const b = fixture('sip-subject-nbsp.sip');
  const m = parseSipMessage(latin1(b));
  const h = m.headers.find((x) => x.key === 'subject')!;
  assert.ok(h.value.endsWith('\u00a0'));
  assert.equal(formatParsedHeader(m, h), `Subject: ${h.value}`);
  passes('writer', b);
  // and the writer's own line-break folding is linear: a 1 MB value with one line break
  assert.ok(ms(() => formatHeader('Subject', ' '.repeat(1024 * 1024) + 'x\n y')) < HANG_GUARD_MS); // quadratic: about 1000 s
  assert.equal(formatHeader('Subject', 'a \r\n\t b\n'), 'Subject: a b');
});

test('log-long-prefix.log: a start line after thousands of words does not throw (text.ts makePrefixMatcher)', () => {
  const b = fixture('log-long-prefix.log');
  for (const e of ['log', 'trace']) passes(e, b);
  const r = readTraceBytes(b);
  assert.equal(r.messages.length, 1);
  assert.equal(r.messages[0].sip.headers.length, 2);
  // scaled up: V8 could not compile the regex built from a 10 000-word prefix and threw
  const prefix = latin1(b).split('\n')[0].replace(/ REGISTER.*/, '');
  const big = latin1(b).split(prefix).join(prefix.repeat(8));
  assert.ok(big.length > 50000);
  const out = readTraceBytes(new TextEncoder().encode(big));
  assert.equal(out.messages.length, 1);
  assert.equal(out.messages[0].sip.headers.length, 2);
  const m = makePrefixMatcher('x'.repeat(300) + '  ')!;
  assert.equal(m.match('x'.repeat(300) + '  Via: a'), 302);
  assert.equal(m.match('x'.repeat(300)), 300);
  assert.equal(m.match('y' + 'x'.repeat(300)), -1);
});

test('log-ansi-run.log: trailing colour codes are found in linear time (text.ts ansiBounds)', () => {
  const b = fixture('log-ansi-run.log');
  for (const e of ['log', 'trace']) passes(e, b);
  assert.equal(readTraceBytes(b).messages.length, 2);
  const line = '\x1b[1m'.repeat(250000) + 'x';
  assert.ok(ms(() => ansiBounds(line)) < HANG_GUARD_MS); // quadratic: minutes
  assert.deepEqual(ansiBounds(line), { start: 1000000, end: line.length });
  assert.deepEqual(ansiBounds('\x1b[36;1mtext\x1b[;m\x1b[0m'), { start: 7, end: 11 });
  // the same answers as the regex it replaced
  // eslint-disable-next-line no-control-regex
  const oldTrail = /(?:\x1b\[[0-9;?]*[A-Za-z])+$/;
  for (const s of ['a\x1b[0mb', 'a[0m', '\x1b[0m', 'x\x1b[1;2m\x1b[?25h', '\x1b\x1b[m', 'a\x1b[;m\x1b[', 'a\x1b[12Xm', '\x1b[1m\x1b[2m']) {
    const t = oldTrail.exec(s);
    // eslint-disable-next-line no-control-regex
    const lead = /^(?:\x1b\[[0-9;?]*[A-Za-z])+/.exec(s);
    const start = lead ? lead[0].length : 0;
    assert.deepEqual(ansiBounds(s), { start, end: t && t.index >= start ? t.index : s.length }, JSON.stringify(s));
  }
  const lines = '\x1b[1m'.repeat(250000) + 'x\n';
  let n = 0;
  const reader = new LogReader({ message: () => n++, problem: () => undefined });
  assert.ok(ms(() => { reader.push(new TextEncoder().encode(lines)); reader.end(); }) < HANG_GUARD_MS);
});

test('log-binary-second-line.log: a log with binary bytes after its first line is still a log (detect.ts)', () => {
  const b = fixture('log-binary-second-line.log');
  assert.equal(detectFormat(b), 'text');
  const r = readTraceBytes(b);
  assert.equal(r.format, 'log');
  assert.equal(r.messages.length, 2);
  passes('trace', b);
  // binary from the first byte, or before the first line ends, is still not a log
  assert.equal(detectFormat(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x0a])), 'unknown');
  assert.equal(detectFormat(new TextEncoder().encode('abc\x00\ndef\n')), 'unknown');
  assert.equal(detectFormat(new TextEncoder().encode('\n\x00\x01')), 'unknown');
});

test('detect-binary-after-64-bytes.txt: the format no longer depends on how the input is chunked (trace.ts)', () => {
  const b = fixture('detect-binary-after-64-bytes.txt');
  const formats = new Set<string | undefined>();
  for (const size of [1, 7, 64, 65, 100, 4096, b.length]) {
    const reader = new TraceReader({ message: () => undefined, problem: () => undefined });
    for (let i = 0; i < b.length; i += size) reader.push(b.subarray(i, i + size));
    reader.end();
    formats.add(reader.format);
  }
  assert.deepEqual([...formats], ['unknown']);
  passes('trace', b);
});

test('ip-last-fragment-short-of-earlier.pcap: a last fragment ending before earlier ones no longer throws (fragments.ts)', () => {
  const b = fixture('ip-last-fragment-short-of-earlier.pcap');
  for (const e of ['capture', 'net', 'trace']) passes(e, b);
  const r = readTraceBytes(b);
  assert.deepEqual(r.problems.map((p) => [p.code, p.frame]), [['ip-fragment-inconsistent', 3], ['ip-fragments-incomplete', 1]]);
  assert.match(r.problems[0].message, /last fragment in frame 3 ends at byte 16, but earlier fragments reach byte 32; it is dropped/);
});

/**
 * The rule engine (src/core/register, src/core/rules) is not ours to fix: a find there is reported
 * to the lead and, while it still fails, this test skips itself with the reason (visible in the
 * run, not failing it); once fixed it passes like any other test.
 */
/** A rule-engine find: it was fixed (the reason says what it was), so it must keep passing. */
function ruleEngineFind(_t: TestContext, _reason: string, fn: () => void): void {
  fn();
}

test('register-many-contacts.json: a REGISTER with thousands of Contact values is checked in linear time', (t) => {
  ruleEngineFind(t, 'OMA-IM-REG-001..003 missingTagHint scans every header (headersOf accept-contact) once per Contact', () => {
    const b = fixture('register-many-contacts.json');
    passes('register', b);
    const flow = JSON.parse(new TextDecoder().decode(b)) as { texts: string[] };
    const lines = flow.texts[0].split('\r\n');
    const contacts = lines.filter((l) => l.startsWith('Contact: <sip:a'));
    const rest = lines.filter((l) => !l.startsWith('Contact: <sip:a')).join('\r\n');
    /** The checker's time for one REGISTER with `copies` x 190 Contacts (parsing excluded). */
    const time = (copies: number, runs: number) => {
      const text = rest.replace('Content-Length: 0', [...Array(copies)].flatMap(() => contacts).join('\r\n') + '\r\nContent-Length: 0');
      const m: TraceMessage = { index: 0, frame: 1, transport: 'UDP', sip: parseSipMessage(text), ts: { sec: 1700000000, nsec: 0 } };
      let best = Infinity;
      for (let k = 0; k < runs; k++) {
        best = Math.min(best, ms(() => {
          const c = new RegisterChecker(resolveSettings({ profile: 'ims' }));
          c.add(m);
          c.end();
        }));
      }
      return best;
    };
    time(1, 2);
    const small = time(3, 3); // 570 Contacts
    const big = time(52, 1); // 9 880: 17 times as many; linear is about 17 times the time, quadratic about 300
    assert.ok(big < small * 40, `570 Contacts: ${small.toFixed(1)} ms, 9 880: ${Math.round(big)} ms`);
  });
});

// ---------------------------------------------------------------------------------------------
// Whatever a campaign saved under found/
// ---------------------------------------------------------------------------------------------

const foundDir = path.join(dir, 'found');
const found = fs.existsSync(foundDir) ? fs.readdirSync(foundDir).filter((f) => !f.endsWith('.md')).sort() : [];

test('found/: every saved input names its entry', () => {
  for (const f of found) assert.ok(targetByName(f.split('-')[0]), `${f}: no fuzz entry '${f.split('-')[0]}'`);
});

for (const f of found) {
  const entry = f.split('-')[0];
  test(`found/${f}`, (t) => {
    if (entry === 'register') ruleEngineFind(t, `see found/${f.replace(/\.[^.]+$/, '.md')}`, () => passes(entry, fixture(path.join('found', f))));
    else passes(entry, fixture(path.join('found', f)));
  });
}

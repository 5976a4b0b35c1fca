import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  frameSipMessage,
  matchSipStart,
  sipStartAt,
  SIP_START_NEED_MORE,
  SIP_START_NO,
  SIP_START_YES,
  type FrameResult,
} from '../../../src/core/sip/framing';

const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const starts = (s: string): boolean => {
  const b = enc(s);
  return sipStartAt(b, 0, b.length);
};
const frame = (s: string, stream: boolean, extra?: { maxHeaderBytes?: number; maxContentLength?: number }): FrameResult => {
  const b = enc(s);
  return frameSipMessage(b, 0, b.length, { stream, ...extra });
};
const codes = (r: FrameResult): string[] => (r.kind === 'complete' ? r.problems.map((p) => p.code) : []);

const REGISTER_HEAD =
  'REGISTER sip:example.com SIP/2.0\r\n' +
  'Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK1\r\n' +
  'From: <sip:alice@example.com>;tag=1\r\n' +
  'To: <sip:alice@example.com>\r\n' +
  'Call-ID: abc\r\n' +
  'CSeq: 1 REGISTER\r\n';

test('sipStartAt: request and status lines, any token method, any URI scheme', () => {
  assert.equal(starts('REGISTER sip:example.com SIP/2.0\r\n'), true);
  assert.equal(starts('SUBSCRIBE sips:bob@example.com;transport=tcp SIP/2.0\r\n'), true);
  assert.equal(starts('INVITE tel:+15551234 SIP/2.0\n'), true);
  assert.equal(starts('!interesting-Method0123456789_*+`.%indeed\'~ sip:1_unusual.URI~(to-be!sure)&isn\'t+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn\'t-it)@example.com SIP/2.0\r\n'), true);
  assert.equal(starts('OPTIONS nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0\r\n'), true);
  assert.equal(starts('SIP/2.0 200 OK\r\n'), true);
  assert.equal(starts('SIP/2.0 100 \r\n'), true, 'empty reason phrase (RFC 4475 §3.1.1.13)');
  assert.equal(starts('sip/2.0 180 Ringing\r\n'), true, 'SIP-Version is case-insensitive');
  assert.equal(starts('REGISTER sip:example.com sip/2.0\r\n'), true);
});

test('sipStartAt: tolerant of plainly-SIP malformed start lines so the parser can report them', () => {
  assert.equal(starts('INVITE  sip:user@example.com  SIP/2.0\r\n'), true, 'RFC 4475 §3.1.2.9');
  assert.equal(starts('OPTIONS sip:remote-target@example.com SIP/2.0  \r\n'), true, 'RFC 4475 §3.1.2.10');
  assert.equal(starts('OPTIONS sip:t.watson@example.org SIP/7.0\r\n'), true, 'RFC 4475 §3.1.2.16');
  assert.equal(starts('SIP/2.0 4294967301 better not break the receiver\r\n'), true, 'RFC 4475 §3.1.2.19');
  assert.equal(starts('INVITE <sip:user@example.com> SIP/2.0\r\n'), true, 'RFC 4475 §3.1.2.7');
});

test('sipStartAt: rejects RTP, TLS, DNS, HTTP, text without a SIP version', () => {
  assert.equal(sipStartAt(new Uint8Array([0x80, 0x00, 0x12, 0x34, 0, 0, 0, 160]), 0, 8), false, 'RTP');
  assert.equal(sipStartAt(new Uint8Array([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]), 0, 6), false, 'TLS handshake');
  const dns = new Uint8Array([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x65, 0x78]);
  assert.equal(sipStartAt(dns, 0, dns.length), false, 'DNS query');
  assert.equal(starts('GET / HTTP/1.1\r\n'), false);
  assert.equal(starts('GET http://example.com/ HTTP/1.1\r\n'), false);
  assert.equal(starts('HTTP/1.1 200 OK\r\n'), false);
  assert.equal(starts('SIP/2.0 OK\r\n'), false);
  assert.equal(starts('REGISTER sip:example.com\r\n'), false);
  assert.equal(starts('REGISTER sip:example.com SIP/2.0x\r\n'), false);
  assert.equal(starts('a=rtpmap:0 PCMU/8000\r\n'), false);
  assert.equal(starts('v=0\r\n'), false);
  assert.equal(starts(' REGISTER sip:example.com SIP/2.0\r\n'), false, 'must start at the offset');
});

test('matchSipStart: three-valued for start lines cut by a segment boundary', () => {
  const line = enc('REGISTER sip:example.com SIP/2.0\r\n');
  for (let cut = 1; cut < line.length - 2; cut++) {
    assert.equal(matchSipStart(line, 0, cut), SIP_START_NEED_MORE, `cut at ${cut}`);
  }
  assert.equal(matchSipStart(line, 0, line.length - 1), SIP_START_YES, 'CR is enough to end the line');
  const status = enc('SIP/2.0 200 OK\r\n');
  for (let cut = 1; cut <= 11; cut++) assert.equal(matchSipStart(status, 0, cut), SIP_START_NEED_MORE, `status cut at ${cut}`);
  assert.equal(matchSipStart(status, 0, 12), SIP_START_YES);
  assert.equal(matchSipStart(enc('REGISTER sip:'), 0, 13), SIP_START_NEED_MORE);
  assert.equal(matchSipStart(enc('REGIS\x00'), 0, 6), SIP_START_NO);
  // A long line without an end within maxLine is not waited for indefinitely.
  const long = enc('INVITE sip:' + 'a'.repeat(5000));
  assert.equal(matchSipStart(long, 0, long.length), SIP_START_NO);
  assert.equal(matchSipStart(long, 0, 2000), SIP_START_NEED_MORE);
  // Works at an offset inside a larger array and does not read past `end`.
  const inner = enc('xxSIP/2.0 200 OK\r\nyy');
  assert.equal(matchSipStart(inner, 2, 20), SIP_START_YES);
  assert.equal(matchSipStart(inner, 2, 8), SIP_START_NEED_MORE);
});

test('frameSipMessage: CRLFCRLF, Content-Length 0 and with a body', () => {
  const a = REGISTER_HEAD + 'Content-Length: 0\r\n\r\n';
  assert.deepEqual(frame(a, true), { kind: 'complete', headerEnd: a.length, length: a.length, contentLength: 0, problems: [] });
  const b = REGISTER_HEAD + 'Content-Length: 5\r\n\r\nhelloNEXT';
  const r = frame(b, true);
  assert.equal(r.kind, 'complete');
  if (r.kind !== 'complete') return;
  assert.equal(r.headerEnd, b.length - 9);
  assert.equal(r.length, b.length - 4);
  assert.equal(r.contentLength, 5);
});

test('frameSipMessage: compact l, any case, folded value, leading zeros', () => {
  for (const h of ['l: 3', 'L:3', 'content-length: 3', 'CONTENT-LENGTH  :  3', 'Content-Length:\r\n   3', 'Content-Length: 0003', 'l:\t3\t']) {
    const s = REGISTER_HEAD + h + '\r\n\r\nabcXX';
    const r = frame(s, true);
    assert.equal(r.kind, 'complete', h);
    if (r.kind !== 'complete') continue;
    assert.equal(r.contentLength, 3, h);
    assert.equal(r.length, s.length - 2, h);
    assert.deepEqual(codes(r), [], h);
  }
  // Headers that merely start like it are not it.
  const s = REGISTER_HEAD + 'Content-Language: 7\r\nLocation: 9\r\nl: 1\r\n\r\nab';
  const r = frame(s, true);
  assert.equal(r.kind === 'complete' && r.contentLength, 1);
});

test('frameSipMessage: several Content-Length values', () => {
  const same = frame(REGISTER_HEAD + 'Content-Length: 2\r\nl: 02\r\n\r\nab', true);
  assert.deepEqual(codes(same), []);
  const diff = frame(REGISTER_HEAD + 'Content-Length: 2\r\nContent-Length: 4\r\n\r\nabcd', true);
  assert.equal(diff.kind, 'complete');
  if (diff.kind !== 'complete') return;
  assert.deepEqual(codes(diff), ['sip-content-length-conflict']);
  assert.equal(diff.contentLength, 2, 'the first value is used');
  assert.equal(diff.problems[0].offset, REGISTER_HEAD.length + 'Content-Length: 2\r\n'.length);
});

test('frameSipMessage: bare LF line ends are tolerated and reported', () => {
  const s = 'SIP/2.0 200 OK\nCall-ID: x\nContent-Length: 2\n\nokZZ';
  const r = frame(s, true);
  assert.equal(r.kind, 'complete');
  if (r.kind !== 'complete') return;
  assert.equal(r.headerEnd, s.length - 4);
  assert.equal(r.length, s.length - 2);
  assert.deepEqual(codes(r), ['sip-bare-lf']);
  const mixed = frame('SIP/2.0 200 OK\r\nl: 0\r\n\n', true);
  assert.deepEqual(codes(mixed), ['sip-bare-lf']);
});

test('frameSipMessage: missing Content-Length — stream: mandatory, body empty; datagram: body to the end', () => {
  const s = 'MESSAGE sip:bob@example.com SIP/2.0\r\nCall-ID: x\r\n\r\nhello';
  const st = frame(s, true);
  assert.equal(st.kind, 'complete');
  if (st.kind !== 'complete') return;
  assert.equal(st.length, s.length - 5);
  assert.equal(st.contentLength, undefined);
  assert.deepEqual(codes(st), ['sip-content-length-missing']);
  const dg = frame(s, false);
  assert.deepEqual(dg, { kind: 'complete', headerEnd: s.length - 5, length: s.length, contentLength: undefined, problems: [] });
});

test('frameSipMessage: invalid Content-Length', () => {
  const s = REGISTER_HEAD + 'Content-Length: -999\r\n\r\nbody';
  const st = frame(s, true);
  assert.deepEqual(codes(st), ['sip-content-length-invalid']);
  assert.equal(st.kind === 'complete' && st.length, s.length - 4);
  const dg = frame(s, false);
  assert.deepEqual(codes(dg), ['sip-content-length-invalid']);
  assert.equal(dg.kind === 'complete' && dg.length, s.length);
  assert.deepEqual(codes(frame(REGISTER_HEAD + 'Content-Length: 1 2\r\n\r\nab', true)), ['sip-content-length-invalid']);
});

test('frameSipMessage: Content-Length 4294967295 is not believed and allocates nothing', () => {
  const s = REGISTER_HEAD + 'Content-Length: 4294967295\r\n\r\nbody';
  const st = frame(s, true);
  assert.equal(st.kind, 'complete');
  if (st.kind !== 'complete') return;
  assert.deepEqual(codes(st), ['sip-content-length-too-large']);
  assert.equal(st.length, s.length - 4, 'stream: cut after the header section');
  assert.equal(st.contentLength, undefined);
  const dg = frame(s, false);
  assert.deepEqual(codes(dg), ['sip-content-length-too-large']);
  assert.equal(dg.kind === 'complete' && dg.length, s.length, 'datagram: cut at the datagram end');
  const huge = frame(REGISTER_HEAD + 'Content-Length: 99999999999999999999999999999\r\n\r\n', true);
  assert.deepEqual(codes(huge), ['sip-content-length-too-large']);
  const limited = frame(REGISTER_HEAD + 'Content-Length: 101\r\n\r\n', true, { maxContentLength: 100 });
  assert.deepEqual(codes(limited), ['sip-content-length-too-large']);
});

test('frameSipMessage: stream needs more — before and after the header end', () => {
  const full = REGISTER_HEAD + 'Content-Length: 4\r\n\r\nbody';
  const b = enc(full);
  const headerEnd = full.length - 4;
  for (let cut = 20; cut < full.length; cut++) {
    const r = frameSipMessage(b, 0, cut, { stream: true });
    assert.equal(r.kind, 'need-more', `cut ${cut}`);
    if (r.kind !== 'need-more') continue;
    if (cut >= headerEnd) {
      assert.equal(r.headerEnd, headerEnd);
      assert.equal(r.needed, full.length);
    } else {
      assert.equal(r.needed, undefined);
      assert.ok(r.resumeAt !== undefined && r.resumeAt <= cut);
      // Resuming the search where it stopped finds the same end.
      const again = frameSipMessage(b, 0, b.length, { stream: true, scanFrom: r.resumeAt });
      assert.equal(again.kind === 'complete' && again.headerEnd, headerEnd, `resume from ${r.resumeAt}`);
    }
  }
  assert.equal(frameSipMessage(b, 0, b.length, { stream: true }).kind, 'complete');
});

test('frameSipMessage: datagram shorter than Content-Length, and without an empty line', () => {
  const s = REGISTER_HEAD + 'Content-Length: 10\r\n\r\nabc';
  const r = frame(s, false);
  assert.deepEqual(codes(r), ['sip-body-truncated']);
  assert.equal(r.kind === 'complete' && r.length, s.length);
  const u = REGISTER_HEAD + 'Content-Length: 0\r\n';
  const r2 = frame(u, false);
  assert.deepEqual(codes(r2), ['sip-header-unterminated']);
  assert.equal(r2.kind === 'complete' && r2.length, u.length);
});

test('frameSipMessage: a header section longer than the limit is invalid, without reading further', () => {
  const junk = REGISTER_HEAD + 'X-Junk: ' + 'a'.repeat(70000);
  const r = frame(junk, true);
  assert.equal(r.kind, 'invalid');
  assert.equal(r.kind === 'invalid' && r.code, 'sip-header-too-long');
  const small = frame(REGISTER_HEAD + 'X: 1\r\n', true, { maxHeaderBytes: 100 });
  assert.equal(small.kind, 'invalid');
  const under = frame(REGISTER_HEAD + 'X: 1\r\n', true, { maxHeaderBytes: 1000 });
  assert.equal(under.kind, 'need-more');
});

test('frameSipMessage: works at an offset, reports absolute indices', () => {
  const pre = 'garbage!';
  const s = pre + REGISTER_HEAD + 'l: 2\r\n\r\nokTAIL';
  const b = enc(s);
  const r = frameSipMessage(b, pre.length, b.length - 4, { stream: true });
  assert.equal(r.kind, 'complete');
  if (r.kind !== 'complete') return;
  assert.equal(r.headerEnd, s.length - 6);
  assert.equal(r.length, s.length - 4 - pre.length);
});

const corpus = path.resolve(process.cwd(), '../shared/corpus/public/rfc4475/resiprocate');

test('RFC 4475 torture messages: every one is recognised and framed as a datagram', (t) => {
  if (!fs.existsSync(corpus)) {
    t.skip(`corpus absent: ${corpus}`);
    return;
  }
  const results = new Map<string, { length: number; size: number; cl?: number; codes: string[] }>();
  for (const name of fs.readdirSync(corpus).filter((n) => n.endsWith('.dat')).sort()) {
    const b = new Uint8Array(fs.readFileSync(path.join(corpus, name)));
    assert.equal(sipStartAt(b, 0, b.length), true, `${name} recognised as SIP`);
    const r = frameSipMessage(b, 0, b.length, { stream: false });
    assert.equal(r.kind, 'complete', name);
    if (r.kind !== 'complete') continue;
    results.set(name, { length: r.length, size: b.length, cl: r.contentLength, codes: r.problems.map((p) => p.code) });
  }
  assert.equal(results.size, 49);
  // §3.1.1.8: REGISTER with Content-Length 0, then an INVITE in the same datagram.
  const dbl = results.get('dblreq.dat')!;
  assert.equal(dbl.cl, 0);
  assert.ok(dbl.length < dbl.size);
  const dblBytes = new Uint8Array(fs.readFileSync(path.join(corpus, 'dblreq.dat')));
  assert.equal(dblBytes[dbl.length], 0x0d, 'an extra CRLF follows the REGISTER');
  assert.equal(sipStartAt(dblBytes, dbl.length + 2, dblBytes.length), true, 'then the INVITE starts');
  assert.deepEqual(results.get('clerr.dat')!.codes, ['sip-body-truncated']); // §3.1.2.2: 9999 declared
  assert.deepEqual(results.get('ncl.dat')!.codes, ['sip-content-length-invalid']); // §3.1.2.3: -999
  assert.deepEqual(results.get('mcl01.dat')!.codes, ['sip-content-length-conflict']); // §3.3.9
  const inv2543 = results.get('inv2543.dat')!; // §3.4.1: no Content-Length, body to the datagram end
  assert.equal(inv2543.cl, undefined);
  assert.equal(inv2543.length, inv2543.size);
  // resiprocate's copy of §3.1.2.15 lacks the final empty line (the ersip variant has it).
  assert.deepEqual(results.get('baddn.dat')!.codes, ['sip-header-unterminated']);
  for (const [name, r] of results) {
    if (['clerr.dat', 'ncl.dat', 'mcl01.dat', 'dblreq.dat', 'baddn.dat'].includes(name)) continue;
    assert.deepEqual(r.codes, [], name);
    assert.equal(r.length, r.size, `${name} framed whole`);
  }
});

/**
 * parseSipMessage: start line, header splitting (names, compact forms, folding, bare LF), spans
 * exact in the raw text, body by Content-Length, duplicates (SIP-PARSE-002), control chars,
 * bounds (100 000 headers, a 10 MB line) and a randomised no-throw test over mutated messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SipMessage, SipParseProblem } from '../../../src/core/types';
import {
  canonicalHeaderKey,
  firstHeader,
  headersOf,
  headerSpec,
  HEADER_TABLE,
  MAX_HEADERS,
  MAX_PROBLEMS,
  parseCredentials,
  parseNameAddr,
  parseNameAddrList,
  parseNumberHeader,
  parseProducts,
  parseSipMessage,
  parseTokenList,
  parseValueParams,
  parseVia,
  parseCSeq,
  parseCSeqHeader,
  parseCredentialsWithProblems,
  parseProductsWithProblems,
  parseTokenListWithProblems,
} from '../../../src/core/sip/index';
import { HANG_GUARD_MS } from '../../helpers/hangGuard';

const CRLF = '\r\n';

function msg(lines: string[], body = ''): string {
  return lines.join(CRLF) + CRLF + CRLF + body;
}

const REGISTER = [
  'REGISTER sip:ims.example.net SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport',
  'Max-Forwards: 70',
  'From: <sip:alice@ims.example.net>;tag=a73kszlfl',
  'To: <sip:alice@ims.example.net>',
  'Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10',
  'CSeq: 1 REGISTER',
  'Contact: <sip:alice@192.0.2.10:5060>;+g.oma.sip-im;expires=600',
  'Expires: 600',
  'User-Agent: IM-client/OMA1.0 Acme/2.1',
  'Content-Length: 0',
];

function slice(m: SipMessage, s: { start: number; end: number }): string {
  return m.text.slice(s.start, s.end);
}
function errors(m: SipMessage) {
  return m.problems.filter((p) => p.severity === 'error');
}

test('a clean REGISTER: start line, headers and spans, no problems', () => {
  const m = parseSipMessage(msg(REGISTER));
  assert.deepEqual(m.problems, []);
  const sl = m.startLine;
  assert.equal(sl?.kind, 'request');
  if (sl?.kind !== 'request') return;
  assert.equal(sl.method, 'REGISTER');
  assert.equal(slice(m, sl.methodSpan), 'REGISTER');
  assert.equal(sl.uri?.host, 'ims.example.net');
  assert.equal(slice(m, sl.uriSpan), 'sip:ims.example.net');
  assert.equal(sl.version, 'SIP/2.0');
  assert.equal(slice(m, sl.span), REGISTER[0]);
  assert.equal(m.headers.length, REGISTER.length - 1);
  for (const [i, h] of m.headers.entries()) {
    assert.equal(slice(m, h.span), REGISTER[i + 1]);
    assert.equal(slice(m, h.nameSpan), h.name);
    assert.equal(slice(m, h.valueSpan), h.value);
  }
  assert.equal(m.contentLength, 0);
  assert.deepEqual(m.bodySpan, { start: m.text.length, end: m.text.length });
});

test('header names are case-insensitive; every compact form of rule P-1 maps to its long name', () => {
  const compact: Record<string, string> = {
    i: 'call-id', m: 'contact', f: 'from', t: 'to', v: 'via', l: 'content-length', c: 'content-type',
    e: 'content-encoding', k: 'supported', s: 'subject', o: 'event', u: 'allow-events', r: 'refer-to',
    b: 'referred-by', x: 'session-expires', y: 'identity', a: 'accept-contact', j: 'reject-contact',
    d: 'request-disposition', n: 'identity-info',
  };
  for (const [c, long] of Object.entries(compact)) {
    assert.deepEqual(canonicalHeaderKey(c), { key: long, compact: true }, c);
    assert.deepEqual(canonicalHeaderKey(c.toUpperCase()), { key: long, compact: true }, c.toUpperCase());
    assert.equal(headerSpec(long)?.compact, c);
  }
  assert.deepEqual(canonicalHeaderKey('Call-Id'), { key: 'call-id', compact: false });
  assert.deepEqual(canonicalHeaderKey('X-Unknown-Thing'), { key: 'x-unknown-thing', compact: false });
  assert.deepEqual(canonicalHeaderKey('q'), { key: 'q', compact: false }); // not a compact form

  const m = parseSipMessage(msg(['REGISTER sip:a.example SIP/2.0', 'cAlL-iD: x@y', 'm: <sip:a@b>', 'CONTACT: <sip:c@d>', 'l: 0']));
  assert.equal(firstHeader(m, 'call-id')?.value, 'x@y');
  assert.equal(firstHeader(m, 'Call-ID')?.name, 'cAlL-iD');
  assert.deepEqual(headersOf(m, 'contact').map((h) => [h.name, h.compact]), [['m', true], ['CONTACT', false]]);
  assert.equal(headersOf(m, 'm').length, 2); // any spelling of the key works
  assert.equal(m.contentLength, 0);
});

test('HEADER_TABLE: keys, unique compact forms, P-2 single-valued headers, comma-joinable lists', () => {
  const keys = new Set<string>();
  const compacts = new Set<string>();
  for (const s of HEADER_TABLE) {
    assert.equal(s.key, s.name.toLowerCase());
    assert.ok(!keys.has(s.key), `duplicate ${s.key}`);
    keys.add(s.key);
    if (s.compact) {
      assert.ok(!compacts.has(s.compact), `duplicate compact ${s.compact}`);
      compacts.add(s.compact);
    }
    assert.ok(!(s.list && s.single), `${s.name} cannot be both list and single`);
  }
  for (const k of ['from', 'to', 'call-id', 'cseq', 'max-forwards', 'expires', 'content-length', 'content-type', 'user-agent', 'min-expires']) {
    assert.equal(headerSpec(k)?.single, true, k);
  }
  for (const k of ['contact', 'via', 'route', 'record-route', 'path', 'service-route', 'require', 'proxy-require', 'supported', 'allow', 'accept-contact']) {
    assert.equal(headerSpec(k)?.list, true, k);
  }
  // RFC 3261 §7.3.1: never comma-join credentials or challenges
  for (const k of ['authorization', 'proxy-authorization', 'www-authenticate', 'proxy-authenticate']) {
    assert.equal(headerSpec(k)?.list, false, k);
    assert.equal(headerSpec(k)?.grammar, 'credentials', k);
  }
  assert.equal(headerSpec('contact')?.grammar, 'name-addr-list');
  assert.equal(headerSpec('user-agent')?.grammar, 'products');
});

test('folded continuation lines (CRLF and bare LF + SP/HTAB): spans stay exact, value unfolded', () => {
  const raw = 'REGISTER sip:a.example SIP/2.0\r\nContact: <sip:a@b>\r\n\t;expires=60,\r\n  <sip:c@d>\r\nSubject: one\n two\r\nCSeq: 7\r\n REGISTER\r\nl: 0\r\n\r\n';
  const m = parseSipMessage(raw);
  const c = firstHeader(m, 'contact')!;
  assert.equal(slice(m, c.span), 'Contact: <sip:a@b>\r\n\t;expires=60,\r\n  <sip:c@d>');
  assert.equal(slice(m, c.valueSpan), '<sip:a@b>\r\n\t;expires=60,\r\n  <sip:c@d>');
  assert.equal(c.value, '<sip:a@b> ;expires=60, <sip:c@d>');
  const values = parseNameAddrList(m, c).values;
  assert.deepEqual(values.map((v) => v.uri?.text), ['sip:a@b', 'sip:c@d']);
  assert.equal(slice(m, values[0].params[0].span), 'expires=60');
  assert.equal(firstHeader(m, 'subject')?.value, 'one two');
  assert.deepEqual([parseCSeq(m)?.num, parseCSeq(m)?.method], [7, 'REGISTER']);
  assert.equal(slice(m, parseCSeq(m)!.methodSpan), 'REGISTER');
  // the one bare LF is an info problem, nothing else
  assert.deepEqual(m.problems.map((p) => [p.severity, /bare LF/.test(p.message)]), [['info', true]]);
});

test('bare LF line endings: accepted, one info problem with the count', () => {
  const m = parseSipMessage(REGISTER.join('\n') + '\n\n');
  assert.equal(m.headers.length, REGISTER.length - 1);
  assert.equal(firstHeader(m, 'cseq')?.value, '1 REGISTER');
  assert.equal(m.problems.length, 1);
  assert.equal(m.problems[0].severity, 'info');
  assert.match(m.problems[0].message, /^12 lines end with a bare LF instead of CRLF/);
  assert.equal(slice(m, m.problems[0].span), '\n');
});

test('body by Content-Length: exact, extra octets (info), too short (error), no Content-Length', () => {
  const body = 'v=0\r\ns=-\r\n';
  const base = REGISTER.slice(0, -1);
  let m = parseSipMessage(msg([...base, `Content-Length: ${body.length}`], body));
  assert.equal(slice(m, m.bodySpan), body);
  assert.deepEqual(m.problems, []);

  m = parseSipMessage(msg([...base, 'Content-Length: 4'], body));
  assert.equal(slice(m, m.bodySpan), 'v=0\r');
  assert.equal(m.problems.length, 1);
  assert.equal(m.problems[0].severity, 'info');
  assert.equal(slice(m, m.problems[0].span), '\ns=-\r\n');
  assert.match(m.problems[0].message, /^6 octets after the 4-octet body/);

  m = parseSipMessage(msg([...base, 'Content-Length: 100'], body));
  assert.equal(errors(m).length, 1);
  assert.match(errors(m)[0].message, /Content-Length is 100 but only 10 octets follow/);
  assert.equal(slice(m, errors(m)[0].span), '100');
  assert.equal(slice(m, m.bodySpan), body);

  m = parseSipMessage(msg(base, body));
  assert.equal(m.contentLength, undefined);
  assert.equal(slice(m, m.bodySpan), body);
  assert.deepEqual(m.problems, []); // a missing Content-Length is a rule, not a parse problem
});

test('Content-Length counts UTF-8 octets when the text is decoded Unicode (logs)', () => {
  const body = 'héllo ☃';
  const octets = new TextEncoder().encode(body).length; // 10
  const text = msg([...REGISTER.slice(0, -1), `Content-Length: ${octets}`], body + 'XYZ');
  // ☃ is above U+00FF: detected automatically
  let m = parseSipMessage(text);
  assert.equal(slice(m, m.bodySpan), body);
  m = parseSipMessage(msg([...REGISTER.slice(0, -1), 'Content-Length: 6'], 'héllo'), { octets: 'utf8' });
  assert.equal(slice(m, m.bodySpan), 'héllo');
  assert.deepEqual(m.problems, []);
  m = parseSipMessage(msg([...REGISTER.slice(0, -1), 'Content-Length: 6'], 'héllo!'), { octets: 'latin1' });
  assert.equal(slice(m, m.bodySpan), 'héllo!');
});

test('duplicates of single-valued headers are SIP-PARSE-002 (rule catalog P-2)', () => {
  const single: [string, string][] = [
    ['From', '<sip:b@c>;tag=2'], ['To', '<sip:b@c>'], ['Call-ID', 'zz@y'], ['CSeq', '2 REGISTER'],
    ['Max-Forwards', '69'], ['Expires', '0'], ['Content-Length', '0'], ['Content-Type', 'text/plain'],
    ['User-Agent', 'Other/1.0'], ['Min-Expires', '60'],
  ];
  for (const [name, value] of single) {
    const lines = [...REGISTER, 'Content-Type: text/plain', 'Min-Expires: 30', `${name}: ${value}`];
    const m = parseSipMessage(msg(lines));
    const dup = m.problems.filter((p) => p.code === 'SIP-PARSE-002');
    assert.equal(dup.length, 1, `${name}: ${m.problems.map((p) => p.message).join('; ')}`);
    assert.equal(dup[0].severity, 'error');
    assert.equal(slice(m, dup[0].span), `${name}: ${value}`);
    assert.match(dup[0].message, new RegExp(`^${name} appears more than once`));
  }
  // other single-valued headers: a warning (not in the catalog's P-2 list)
  const subj = parseSipMessage(msg([...REGISTER, 'Subject: a', 'Subject: b']));
  assert.deepEqual(subj.problems.map((p) => [p.code, p.severity]), [['SIP-PARSE-002', 'warning']]);
  // list headers may repeat
  const m = parseSipMessage(msg([...REGISTER, 'Contact: <sip:x@y>', 'Via: SIP/2.0/TCP h2;branch=z9hG4bKx', 'Supported: path', 'Supported: gruu']));
  assert.deepEqual(m.problems, []);
  // a comma list in a single-valued header is SIP-PARSE-002 too ("Expires: 3600, 0")
  const e = parseSipMessage(msg([...REGISTER.filter((l) => !l.startsWith('Expires')), 'Expires: 3600, 0']));
  const p = e.problems.find((x) => x.code === 'SIP-PARSE-002');
  assert.match(p?.message ?? '', /^Expires holds 2 comma-separated values/);
  assert.equal(slice(e, p!.span), '0');
  assert.equal(parseNumberHeader(e, firstHeader(e, 'expires')!).value, undefined); // the whole value is not a number
});

test('start line problems: versions, separators, status codes, not SIP', () => {
  const first = (line: string) => parseSipMessage(msg([line, 'Content-Length: 0']));
  let m = first('SIP/2.0 200 OK');
  assert.equal(m.startLine?.kind, 'response');
  if (m.startLine?.kind === 'response') {
    assert.equal(m.startLine.status, 200);
    assert.equal(m.startLine.reason, 'OK');
    assert.equal(slice(m, m.startLine.statusSpan), '200');
  }
  assert.deepEqual(m.problems, []);

  m = first('SIP/2.0 200 Very  Good  Reason ');
  assert.equal(m.startLine?.kind === 'response' && m.startLine.reason, 'Very  Good  Reason ');
  assert.deepEqual(m.problems, []);

  m = first('SIP/2.0 200');
  assert.equal(m.startLine?.kind === 'response' && m.startLine.reason, '');
  assert.deepEqual(m.problems.map((p) => p.severity), ['warning']);

  m = first('SIP/2.0 099 Odd');
  assert.match(errors(m)[0].message, /status code 099 is outside 100-699/);

  m = first('SIP/2.0 abc Nope');
  assert.equal(m.startLine, undefined);
  assert.match(errors(m)[0].message, /status code 'abc' is not a number/);

  m = first('sip/2.0 200 OK');
  assert.equal(m.startLine?.kind, 'response');
  assert.match(m.problems[0].message, /must be sent in upper case/);
  assert.equal(m.problems[0].severity, 'warning');

  m = first('REGISTER sip:a.example SIP/2.0/UDP');
  assert.equal(m.startLine?.kind, 'request');
  assert.match(errors(m)[0].message, /'SIP\/2.0\/UDP' is not a SIP-Version/);

  m = first('REGISTER\tsip:a.example SIP/2.0');
  assert.match(errors(m)[0].message, /Method and Request-URI must be separated by exactly one SP/);

  m = first('REG<ISTER sip:a.example SIP/2.0');
  assert.match(errors(m)[0].message, /'<' is not allowed in method/);
  assert.equal(slice(m, errors(m)[0].span), '<');

  for (const line of ['GET / HTTP/1.1', 'hello', 'REGISTER sip:a.example']) {
    m = first(line);
    assert.equal(m.startLine, undefined, line);
    assert.match(errors(m)[0].message, /is not a SIP start line/);
  }
});

test('header line problems: no colon, bad name chars, empty name, continuation first, unterminated section', () => {
  let m = parseSipMessage(msg(['REGISTER sip:a.example SIP/2.0', ' folded-first: x', 'NoColonHere', 'Bad Name: v', ': empty', 'l: 0']));
  const msgs = errors(m).map((p) => [p.message.replace(/ \(RFC.*$/, ''), slice(m, p.span)]);
  assert.deepEqual(msgs, [
    ['a continuation line (starting with whitespace) cannot come before the first header field', ' folded-first: x'],
    ["header line 'NoColonHere' has no ':'", 'NoColonHere'],
    ["a space is not allowed in header name 'Bad Name'", ' '],
    ['header field with an empty name', ':'],
  ]);
  assert.deepEqual(m.headers.map((h) => h.name), ['Bad Name', '', 'l']);

  m = parseSipMessage('REGISTER sip:a.example SIP/2.0\r\nCall-ID: a@b\r\nl: 0');
  assert.equal(firstHeader(m, 'call-id')?.value, 'a@b');
  assert.equal(firstHeader(m, 'content-length')?.value, '0');
  assert.deepEqual(m.problems.map((p) => [p.severity, /not terminated by an empty line/.test(p.message)]), [['info', true]]);

  m = parseSipMessage('\r\n\r\nOPTIONS sip:a.example SIP/2.0\r\nl: 0\r\n\r\n');
  assert.equal(m.startLine?.kind, 'request');
  assert.deepEqual(m.problems.map((p) => [p.severity, slice(m, p.span)]), [['info', '\r\n\r\n']]);

  for (const t of ['', '\r\n', '\r\n\r\n']) {
    m = parseSipMessage(t);
    assert.equal(m.startLine, undefined);
    assert.match(errors(m)[0].message, /empty message/);
  }
});

test('NUL and other control characters: errors outside quoted-pairs, accepted as quoted-pairs', () => {
  let m = parseSipMessage(msg([...REGISTER.slice(0, 4), 'Subject: a\x00b', 'X-Bell: ring\x07', 'X-CR: a\rb']));
  assert.deepEqual(
    errors(m).map((p) => [p.message.replace(/ \(.*$/, ''), slice(m, p.span)]),
    [
      ['control character 0x00 in the value of header Subject', '\x00'],
      ['control character 0x07 in the value of header X-Bell', '\x07'],
      ['control character 0x0D in the value of header X-CR', '\r'],
    ],
  );
  m = parseSipMessage(msg([...REGISTER.slice(0, 4).filter((l) => !l.startsWith('To')), 'To: "nul:\\\x00 bel:\\\x07" <sip:a@b>']));
  assert.deepEqual(m.problems, []);
  assert.equal(parseNameAddr(m, firstHeader(m, 'to')!).value?.displayName, 'nul:\x00 bel:\x07');
  m = parseSipMessage(msg(['REGISTER sip:a.exa\x00mple SIP/2.0', 'l: 0']));
  assert.ok(errors(m).some((p) => /control character 0x00 in the start line/.test(p.message)));
});

test('CSeq method must match the request method; responses are not checked', () => {
  let m = parseSipMessage(msg(['REGISTER sip:a.example SIP/2.0', 'CSeq: 1 INVITE', 'l: 0']));
  assert.equal(errors(m).length, 1);
  assert.equal(slice(m, errors(m)[0].span), 'INVITE');
  m = parseSipMessage(msg(['SIP/2.0 200 OK', 'CSeq: 1 INVITE', 'l: 0']));
  assert.deepEqual(m.problems, []);
});

test('validate: false skips value grammars but keeps structure problems', () => {
  const lines = ['REGISTER sip:a.example SIP/2.0', 'To: "unterminated <sip:a@b>', 'From: <sip:a@b>', 'From: <sip:c@d>', 'Content-Length: x'];
  const m = parseSipMessage(msg(lines), { validate: false });
  assert.ok(!m.problems.some((p) => /unterminated/.test(p.message)));
  assert.ok(m.problems.some((p) => p.code === 'SIP-PARSE-002'));
  assert.ok(m.problems.some((p) => /Content-Length 'x' is not a non-negative integer/.test(p.message)));
  const full = parseSipMessage(msg(lines));
  assert.ok(full.problems.some((p) => /unterminated quoted string in the display name/.test(p.message)));
});

test('bounds: 100 000 headers keep 10 000 and finish fast', () => {
  const text = msg([...REGISTER.slice(0, -1), ...Array.from({ length: 100000 }, (_, i) => `X-H: ${i}`), 'Content-Length: 0']);
  const t0 = performance.now();
  const m = parseSipMessage(text);
  const ms = performance.now() - t0;
  assert.equal(m.headers.length, MAX_HEADERS);
  assert.ok(ms < HANG_GUARD_MS, `took ${ms} ms`);
  assert.ok(m.problems.some((p) => p.severity === 'warning' && /more than 10000 header fields/.test(p.message)));
  assert.ok(m.problems.some((p) => /^90010 header fields beyond the first 10000/.test(p.message)));
  // the header section end and the body are still found
  assert.equal(m.bodySpan.start, text.length);
});

test('bounds: a 10 MB header line and 10 MB of separators finish fast with bounded results', () => {
  const big = 10 * 1024 * 1024;
  const cases: [string, (m: SipMessage) => void][] = [
    ['X-Long: ' + 'a'.repeat(big), (m) => assert.equal(firstHeader(m, 'x-long')?.value.length, big)],
    ['Contact: <sip:a@b>' + ';p=1'.repeat(big / 4), (m) => assert.equal(parseNameAddrList(m, firstHeader(m, 'contact')!).values[0].params.length, 1000)],
    ['Contact: ' + '<sip:a@b>,'.repeat(big / 10), (m) => assert.equal(parseNameAddrList(m, firstHeader(m, 'contact')!).values.length, 10000)],
    ['Contact: <sip:a@b>' + ';'.repeat(big), (m) => assert.deepEqual(m.problems.map((p) => p.message), ["empty parameter: ';' is followed by another ';'", `${big - 1} more empty parameters (';' followed by ';' or nothing)`])],
    ['Via: ' + ','.repeat(big), (m) => assert.deepEqual(m.problems.map((p) => p.message), ['empty item in the comma-separated Via list', `${big} more empty items in the comma-separated Via list`])],
    ['X: y' + '\r\nno colon'.repeat(big / 10), (m) => {
      assert.equal(m.problems.length, MAX_PROBLEMS);
      assert.match(m.problems[MAX_PROBLEMS - 1].message, /^\d+ more problems in this message are not listed/);
    }],
    ['User-Agent: ' + 'a/b '.repeat(big / 4), (m) => assert.equal(parseProducts(m, firstHeader(m, 'user-agent')!).length, 10000)],
    ['Authorization: Digest ' + 'a=b,'.repeat(big / 4), (m) => assert.equal(parseCredentials(m, firstHeader(m, 'authorization')!)?.params.length, 10000)],
    ['Subject: x' + '\r\n y'.repeat(big / 4), (m) => assert.equal(firstHeader(m, 'subject')?.value.length, 1 + (2 * big) / 4)],
    ['To: "' + 'q'.repeat(big), (m) => assert.equal(parseNameAddr(m, firstHeader(m, 'to')!).value, undefined)],
  ];
  for (const [line, check] of cases) {
    const t0 = performance.now();
    const m = parseSipMessage(msg(['REGISTER sip:a.example SIP/2.0', line, 'l: 0']));
    const ms = performance.now() - t0;
    assert.ok(ms < HANG_GUARD_MS, `${line.slice(0, 20)}: ${ms} ms`); // a quadratic scan would take hours
    assert.ok(m.problems.length <= MAX_PROBLEMS);
    check(m);
  }
  const t0 = performance.now();
  const m = parseSipMessage('INVITE sip:' + 'a'.repeat(big) + ' SIP/2.0\r\n\r\n');
  assert.ok(performance.now() - t0 < HANG_GUARD_MS);
  assert.equal(m.startLine?.kind === 'request' && m.startLine.uri?.host?.length, big);
});

/** Small deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('randomised: mutated messages never throw and keep spans inside the text', () => {
  const seeds = [
    msg(REGISTER),
    msg([
      'INVITE sip:bob@[2001:db8::1]:5060;transport=tcp SIP/2.0',
      'Via: SIP  /  2.0 / UDP  host.example ; branch = z9hG4bK1 , SIP/2.0/TCP [::1]:5061;received=[::2]',
      'm: "A \\"q\\" ,<x>" <sip:a,b@c;lr?h=v>;+sip.instance="<urn:uuid:1>";q=0.5, *',
      'From:  Bob  <sips:bob:pw@b.example>;tag=1',
      'To: sip:x@y;user=phone',
      'Authorization: Digest username="a,b", realm="r", nonce="n\\"x", uri="sip:y", response="0"',
      'User-Agent: A/1 (c (d) \\) e) B / 2',
      'Require: pref, sec-agree',
      'Accept-Contact: *;+g.oma.sip-im;require;explicit',
      'Content-Type: application/sdp;charset=utf-8',
      'Date: Sat, 13 Nov 2010 23:29:00 GMT',
      'Warning: 399 host "text"',
      'Retry-After: 18000 (in 5h);duration=3600',
      'CSeq: 4711 INVITE',
      'Content-Length: 5',
    ], 'hello'),
    'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h\r\nContact: <sip:a@b>;expires=60\r\nl: 0\r\n\r\n',
  ];
  const specials = ['"', '\\', '<', '>', ';', ',', ':', '=', '@', '[', ']', '(', ')', '*', '/', '?', '%', ' ', '\t', '\r', '\n', '\r\n', '\r\n ', '\x00', '\x7f', '\xff', 'SIP/2.0', 'sip:', 'é', '☃'];
  const r = rng(20261124);
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)];
  let parsed = 0;
  for (let i = 0; i < 3000; i++) {
    let t = pick(seeds);
    const edits = 1 + Math.floor(r() * 6);
    for (let k = 0; k < edits; k++) {
      const at = Math.floor(r() * (t.length + 1));
      const op = r();
      if (op < 0.4) t = t.slice(0, at) + pick(specials) + t.slice(at);
      else if (op < 0.7) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(r() * 8));
      else if (op < 0.85) t = t.slice(0, at) + String.fromCharCode(Math.floor(r() * 256)) + t.slice(at + 1);
      else t = t.slice(0, at);
    }
    let m: SipMessage;
    const direct: SipParseProblem[] = [];
    try {
      m = parseSipMessage(t);
      for (const h of m.headers) {
        direct.push(
          ...parseNameAddrList(m, h).problems,
          ...parseNameAddr(m, h).problems,
          ...parseVia(m, h).problems,
          ...parseTokenListWithProblems(m, h).problems,
          ...parseProductsWithProblems(m, h).problems,
          ...parseCredentialsWithProblems(m, h).problems,
          ...parseNumberHeader(m, h).problems,
          ...parseValueParams(m, h, 'media-range').problems,
          ...parseCSeqHeader(m, h).problems,
        );
        parseTokenList(m, h);
        parseProducts(m, h);
        parseCredentials(m, h);
      }
      parseCSeq(m);
    } catch (e) {
      assert.fail(`iteration ${i} threw ${String(e)} on ${JSON.stringify(t)}`);
    }
    assert.ok(!m.problems.some((p) => /internal parser error/.test(p.message)), `iteration ${i}: ${JSON.stringify(t)}`);
    for (const p of [...m.problems, ...direct]) assert.ok(p.span.start >= 0 && p.span.start <= p.span.end && p.span.end <= t.length, `problem span in ${i}: ${JSON.stringify(p)} ${JSON.stringify(t)}`);
    for (const h of m.headers) {
      assert.ok(h.span.start <= h.valueSpan.start && h.valueSpan.end <= h.span.end && h.span.end <= t.length, `header span in ${i}`);
    }
    assert.ok(m.bodySpan.start <= m.bodySpan.end && m.bodySpan.end <= t.length);
    parsed++;
  }
  assert.equal(parsed, 3000);
});

/**
 * RFC 4475 (SIP torture tests) and RFC 5118 (IPv6 torture tests) over the public corpus in
 * /work/shared/corpus/public (never copied into the repo). Every message of both INDEX.tsv files
 * must have a row here: 'valid' messages parse with the values the RFC describes and no error
 * problem; 'invalid' ones yield the specific problem the RFC describes, at the right place.
 * Where the parser deliberately tolerates something, the row says so (`tolerated`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SipMessage, SipParseProblem } from '../../../src/core/types';
import {
  firstHeader,
  headersOf,
  paramValue,
  parseCredentials,
  parseCSeq,
  parseNameAddr,
  parseNameAddrList,
  parseNumberHeader,
  parseProducts,
  parseSipMessage,
  parseTokenList,
  parseValueParams,
  parseVia,
} from '../../../src/core/sip/index';

const CORPUS = resolve(process.cwd(), '../shared/corpus/public');
const RFC4475 = join(CORPUS, 'rfc4475');
const RFC5118 = join(CORPUS, 'rfc5118');

/** What a row expects. */
interface Case {
  /** 'valid': no error problem. 'invalid': the `problem` must be found. */
  expect: 'valid' | 'invalid';
  /** For invalid messages: the problem the RFC describes. */
  problem?: { re: RegExp; spanText?: string | RegExp; code?: string; severity?: SipParseProblem['severity'] };
  /** Why we deviate from (or sharpen) the INDEX verdict. */
  tolerated?: string;
  check?: (m: SipMessage) => void;
}

function text(m: SipMessage, s: { start: number; end: number }): string {
  return m.text.slice(s.start, s.end);
}

function req(m: SipMessage) {
  assert.equal(m.startLine?.kind, 'request');
  return m.startLine as Extract<NonNullable<SipMessage['startLine']>, { kind: 'request' }>;
}
function rsp(m: SipMessage) {
  assert.equal(m.startLine?.kind, 'response');
  return m.startLine as Extract<NonNullable<SipMessage['startLine']>, { kind: 'response' }>;
}
function one(m: SipMessage, key: string) {
  const h = firstHeader(m, key);
  assert.ok(h, `header ${key} present`);
  return h;
}
function nameAddr(m: SipMessage, key: string) {
  const r = parseNameAddr(m, one(m, key));
  assert.ok(r.value, `${key} parses`);
  return r.value;
}
function contacts(m: SipMessage) {
  return headersOf(m, 'contact').flatMap((h) => parseNameAddrList(m, h).values);
}
function vias(m: SipMessage) {
  return headersOf(m, 'via').flatMap((h) => parseVia(m, h).values);
}
function num(m: SipMessage, key: string): number | undefined {
  return parseNumberHeader(m, one(m, key)).value;
}
function pv(params: { name: string; value?: string }[], name: string): string | undefined {
  return paramValue(params as never, name)?.value;
}

const RFC4475_CASES: Record<string, Case> = {
  // ---- §3.1.1 valid messages ------------------------------------------------------------
  'wsinv.dat': {
    expect: 'valid',
    check(m) {
      const sl = req(m);
      assert.equal(sl.method, 'INVITE');
      assert.equal(sl.uri?.user, 'vivekg');
      assert.equal(sl.uri?.host, 'chair-dnrc.example.com');
      assert.deepEqual(sl.uri?.params.map((p) => p.name), ['unknownparam']);
      const to = nameAddr(m, 'to');
      assert.equal(to.bracketed, false);
      assert.equal(to.uri?.text, 'sip:vivekg@chair-dnrc.example.com');
      assert.equal(pv(to.params, 'tag'), '1918181833n');
      const from = nameAddr(m, 'from');
      assert.equal(from.displayName, 'J Rosenberg \\"');
      assert.equal(pv(from.params, 'tag'), '98asjd8');
      assert.equal(num(m, 'max-forwards'), 68);
      const cseq = parseCSeq(m);
      assert.deepEqual([cseq?.num, cseq?.method], [9, 'INVITE']);
      // folded value: the span covers the raw fold, `value` has one SP
      const ch = one(m, 'cseq');
      assert.equal(text(m, ch.valueSpan), '0009\r\n  INVITE');
      assert.equal(ch.value, '0009 INVITE');
      assert.equal(ch.name, 'cseq');
      const v = vias(m);
      assert.equal(v.length, 3);
      assert.deepEqual(v.map((x) => x.transport), ['UDP', 'TCP', 'UDP']);
      assert.deepEqual(v.map((x) => x.host), ['192.0.2.2', 'spindle.example.com', '192.168.255.111']);
      assert.deepEqual(v.map((x) => pv(x.params, 'branch')), ['390skdjuw', 'z9hG4bK9ikj8', 'z9hG4bK30239']);
      const subject = one(m, 'subject');
      assert.equal(subject.compact, true);
      assert.equal(subject.value, '');
      assert.equal(one(m, 'newfangledheader').value, 'newfangled value continued newfangled value');
      assert.equal(one(m, 'unknownheaderwithunusualvalue').value, ';;,,;;,;');
      const route = parseNameAddrList(m, one(m, 'route')).values;
      assert.deepEqual(
        route[0].uri?.params.map((p) => [p.name, p.value]),
        [['lr', undefined], ['unknownwith', 'value'], ['unknown-no-value', undefined]],
      );
      const c = contacts(m);
      assert.equal(c.length, 1);
      assert.equal(c[0].displayName, 'Quoted string ""');
      assert.deepEqual(c[0].params.map((p) => [p.name, p.value]), [['newparam', 'newvalue'], ['secondparam', undefined], ['q', '0.33']]);
      assert.equal(m.contentLength, 150);
      assert.ok(text(m, m.bodySpan).startsWith('v=0\r\n'));
      assert.equal(m.bodySpan.end - m.bodySpan.start, 150);
    },
  },
  'intmeth.dat': {
    expect: 'valid',
    check(m) {
      const sl = req(m);
      assert.equal(sl.method, "!interesting-Method0123456789_*+`.%indeed'~");
      assert.equal(sl.uri?.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
      assert.equal((sl.uri as { password?: string }).password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
      assert.equal(sl.uri?.host, 'example.com');
      assert.equal(pv(vias(m)[0].params, 'branch'), "z9hG4bK-.!%66*_+`'~");
      // quoted-pairs of NUL, BEL and DEL are legal inside the quoted display name
      assert.equal(nameAddr(m, 'to').displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f');
      const from = nameAddr(m, 'from');
      assert.equal(from.displayName, "token1~` token2'+_ token3*%!.-");
      assert.equal(from.params[0].name, "fromParam''~+*_!.-%");
      assert.equal(Buffer.from(from.params[0].unquoted ?? '', 'latin1').toString('utf8'), 'работающий');
      assert.equal(pv(from.params, 'tag'), "_token~1'+`*%!-.");
      assert.equal(one(m, 'call-id').value, 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
      assert.deepEqual(parseCSeq(m)?.num, 139122385);
      assert.equal(parseCSeq(m)?.method, sl.method);
      assert.ok(firstHeader(m, "extensionHeader-!.%*+_`'~"));
    },
  },
  'esc01.dat': {
    expect: 'valid',
    check(m) {
      const sl = req(m);
      assert.equal(sl.uri?.user, 'sips%3Auser%40example.com');
      assert.equal(sl.uri?.host, 'example.net');
      assert.equal(nameAddr(m, 'to').uri?.user, '%75se%72');
      assert.equal(nameAddr(m, 'from').uri?.user, 'I%20have%20spaces');
      const c = contacts(m);
      assert.equal(c[0].uri?.user, 'cal%6Cer');
      assert.deepEqual(c[0].uri?.params.map((p) => [p.name, p.value]), [['%6C%72', undefined], ['n%61me', 'v%61lue%25%34%31']]);
      assert.equal(one(m, 'call-id').compact, true);
    },
  },
  'escnull.dat': {
    expect: 'valid',
    check(m) {
      assert.equal(req(m).method, 'REGISTER');
      assert.equal(nameAddr(m, 'to').uri?.user, 'null-%00-null');
      assert.deepEqual(contacts(m).map((c) => c.uri?.user), ['%00', '%00%00']);
      assert.equal(one(m, 'content-length').name, 'L');
      assert.equal(m.contentLength, 0);
    },
  },
  'esc02.dat': {
    expect: 'valid',
    check(m) {
      assert.equal(req(m).method, 'RE%47IST%45R'); // not REGISTER
      assert.equal(parseCSeq(m)?.method, 'RE%47IST%45R');
      assert.equal(nameAddr(m, 'to').displayName, '%Z%45');
      assert.equal(pv(vias(m)[0].params, 'branch'), 'z9hG4bK209%fzsnel234');
      // C%6Fntact is another (unknown) header, not Contact
      assert.equal(contacts(m).length, 2);
      assert.ok(firstHeader(m, 'c%6fntact'));
    },
  },
  'lwsdisp.dat': {
    expect: 'valid',
    check(m) {
      const from = nameAddr(m, 'from');
      assert.equal(from.displayName, 'caller');
      assert.equal(from.bracketed, true);
      assert.equal(from.uri?.text, 'sip:caller@example.com');
      assert.equal(pv(from.params, 'tag'), '323');
    },
  },
  'longreq.dat': {
    expect: 'valid',
    check(m) {
      const to = nameAddr(m, 'to');
      assert.match(to.displayName ?? '', /^I have a user name of (extreme){10} proportion$/);
      assert.equal(to.uri?.port, 6000);
      assert.equal(to.uri?.params.length, 3);
      assert.equal(one(m, 'from').name, 'F');
      const from = nameAddr(m, 'from');
      assert.match(pv(from.params, 'tag') ?? '', /^1(298){50}2424$/);
      assert.deepEqual(from.params.map((p) => p.name.slice(0, 20)), ['tag', 'unknownheaderparamna', 'unknownValuelesspara']);
      const v = vias(m);
      assert.equal(v.length, 34);
      assert.equal(v[0].host, 'sip33.example.com');
      assert.equal(v[33].host, 'host.example.com');
      assert.equal(pv(v[33].params, 'received'), '192.0.2.5');
      assert.equal(contacts(m)[0].uri?.user, 'amazinglylongcallername'.repeat(5));
      assert.equal(m.contentLength, 150);
    },
  },
  'dblreq.dat': {
    expect: 'valid',
    tolerated: 'extra octets after the body (the INVITE) give an info problem and are ignored',
    check(m) {
      assert.equal(req(m).method, 'REGISTER');
      assert.equal(m.contentLength, 0);
      assert.equal(m.bodySpan.start, m.bodySpan.end);
      const extra = m.problems.find((p) => /octets after the 0-octet body/.test(p.message));
      assert.ok(extra);
      assert.equal(extra.severity, 'info');
      assert.match(text(m, extra.span), /^\r\nINVITE sip:joe@example.com SIP\/2.0\r\n/);
      assert.equal(contacts(m)[0].bracketed, false);
      assert.equal(contacts(m)[0].uri?.text, 'sip:j.user@host.example.com');
      assert.equal(one(m, 'call-id').name, 'I');
      assert.equal(m.headers.length, 8);
    },
  },
  'semiuri.dat': {
    expect: 'valid',
    check(m) {
      const uri = req(m).uri;
      assert.equal(uri?.user, 'user;par=u%40example.net');
      assert.equal(uri?.host, 'example.com');
      assert.deepEqual(uri?.params, []);
      const accept = parseValueParams(m, one(m, 'accept'), 'media-range');
      assert.deepEqual(
        accept.values.map((v) => v.value),
        ['application/sdp', 'application/pkcs7-mime', 'multipart/mixed', 'multipart/signed', 'message/sip', 'message/sipfrag'],
      );
    },
  },
  'transports.dat': {
    expect: 'valid',
    check(m) {
      assert.deepEqual(vias(m).map((v) => v.transport), ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
      assert.equal(vias(m)[3].protocol, 'SIP/2.0/UNKNOWN');
      assert.equal(one(m, 'call-id').value, 'transports.kijh4akdnaqjkwendsasfdj');
      assert.equal(one(m, 'content-length').compact, true);
    },
  },
  'mpart01.dat': {
    expect: 'valid',
    check(m) {
      assert.equal(req(m).method, 'MESSAGE');
      const ct = parseValueParams(m, one(m, 'content-type'), 'media-type', false).values[0];
      assert.equal(ct.value, 'multipart/mixed');
      assert.equal(pv(ct.params, 'boundary'), '7a9cbec02ceef655');
      assert.equal(m.contentLength, 553);
      assert.equal(m.bodySpan.end, m.text.length);
      assert.deepEqual(parseProducts(m, one(m, 'user-agent')).map((p) => [p.product, p.version, p.isComment]), [
        ['SIPimp.org', '0.2.5', false],
        ['curses', undefined, true],
      ]);
    },
  },
  'unreason.dat': {
    expect: 'valid',
    check(m) {
      const sl = rsp(m);
      assert.equal(sl.status, 200);
      assert.equal(Buffer.from(sl.reason, 'latin1').toString('utf8'), '= 2**3 * 5**2 но сто девяносто девять - простое');
    },
  },
  'noreason.dat': {
    expect: 'valid',
    check(m) {
      const sl = rsp(m);
      assert.equal(sl.status, 100);
      assert.equal(sl.reason, '');
      assert.equal(sl.reasonSpan.start, sl.reasonSpan.end);
    },
  },
  // ---- §3.1.2 invalid messages ----------------------------------------------------------
  'badinv01.dat': {
    expect: 'invalid',
    problem: { re: /empty parameter: ';' is followed by another ';'/, spanText: ';' },
    check(m) {
      const via = one(m, 'via');
      const contact = one(m, 'contact');
      const inside = (h: { span: { start: number; end: number } }, p: SipParseProblem) => p.span.start >= h.span.start && p.span.end <= h.span.end;
      assert.ok(m.problems.some((p) => inside(via, p) && /empty item in the comma-separated Via list/.test(p.message)));
      assert.ok(m.problems.some((p) => inside(via, p) && /empty parameter/.test(p.message)));
      assert.ok(m.problems.some((p) => inside(contact, p) && /empty parameter/.test(p.message)));
    },
  },
  'clerr.dat': {
    expect: 'invalid',
    problem: { re: /Content-Length is 9999 but only 154 octets follow/, spanText: '9999' },
  },
  'ncl.dat': {
    expect: 'invalid',
    problem: { re: /Content-Length '-999' is not a non-negative integer/, spanText: '-999' },
    check(m) {
      assert.equal(m.contentLength, undefined);
    },
  },
  'scalar02.dat': {
    expect: 'invalid',
    problem: { re: /CSeq number 36893488147419103232 is too large/, spanText: '36893488147419103232' },
    check(m) {
      const find = (re: RegExp) => m.problems.find((p) => re.test(p.message));
      assert.equal(text(m, find(/Max-Forwards 300 is out of range/)!.span), '300');
      assert.equal(find(/Max-Forwards/)!.severity, 'error');
      // a registrar may clamp expiries to 2^32-1 (RFC 3261 §10.2.1.1): warnings, not errors
      assert.equal(find(/^Expires 1000.* exceeds 2\^32-1/)!.severity, 'warning');
      const ce = find(/Contact expires=280297596632815 exceeds 2\^32-1/)!;
      assert.equal(ce.severity, 'warning');
      assert.equal(text(m, ce.span), '280297596632815');
    },
  },
  'scalarlg.dat': {
    expect: 'invalid',
    problem: { re: /CSeq number 9292394834772304023312 is too large/, spanText: '9292394834772304023312' },
    check(m) {
      const w = m.problems.find((p) => /Warning code '1812' must be exactly 3 digits/.test(p.message));
      assert.equal(w?.severity, 'error');
      assert.equal(text(m, w!.span), '1812');
      assert.equal(m.problems.find((p) => /Retry-After .* exceeds/.test(p.message))?.severity, 'warning');
    },
  },
  'quotbal.dat': {
    expect: 'invalid',
    problem: { re: /unterminated quoted string in the display name/, spanText: '"Mr. J. User <sip:j.user@example.com>' },
    check(m) {
      assert.equal(parseNameAddr(m, one(m, 'to')).value, undefined);
    },
  },
  'ltgtruri.dat': {
    expect: 'invalid',
    problem: { re: /Request-URI must not be enclosed in '<' '>'/, spanText: '<sip:user@example.com>' },
    check(m) {
      assert.equal(req(m).uri?.text, 'sip:user@example.com');
    },
  },
  'lwsruri.dat': {
    expect: 'invalid',
    problem: { re: /whitespace inside the Request-URI 'sip:user@example.com; lr'/, spanText: ' ' },
  },
  'lwsstart.dat': {
    expect: 'invalid',
    problem: { re: /Method and Request-URI must be separated by exactly one SP/, spanText: '  ' },
    check(m) {
      assert.ok(m.problems.some((p) => /Request-URI and SIP-Version must be separated by exactly one SP/.test(p.message)));
      assert.equal(req(m).uri?.text, 'sip:user@example.com');
    },
  },
  'trws.dat': {
    expect: 'invalid',
    problem: { re: /whitespace after SIP-Version at the end of the Request-Line/, spanText: '  ' },
    check(m) {
      assert.equal(req(m).version, 'SIP/2.0');
    },
  },
  'escruri.dat': {
    expect: 'invalid',
    problem: { re: /Request-URI must not contain URI headers/, spanText: '?Route=%3Csip:example.com%3E' },
  },
  'baddate.dat': {
    expect: 'invalid',
    problem: { re: /Date time zone must be GMT, not 'EST'/, spanText: 'EST' },
  },
  'regbadct.dat': {
    expect: 'invalid',
    problem: { re: /contains '\?' \(URI headers\) and must be enclosed in '<' '>'/, spanText: 'sip:user@example.com?Route=%3Csip:sip.example.com%3E' },
  },
  'badaspec.dat': {
    expect: 'invalid',
    problem: { re: /whitespace inside '<' '>' around the URI/, spanText: '< sip:t.watson@example.org >' },
    check(m) {
      assert.equal(nameAddr(m, 'from').displayName, 'Bell, Alexander'); // quoted: fine
      assert.equal(nameAddr(m, 'to').uri?.text, 'sip:t.watson@example.org');
    },
  },
  'baddn.dat': {
    expect: 'invalid',
    problem: { re: /display name 'Bell, Alexander' contains ','/, spanText: ',' },
    check(m) {
      assert.ok(m.problems.some((p) => /display name 'Watson, Thomas' contains ','/.test(p.message)));
      // this copy ends right after `l: 0` with no empty line (see INDEX.md)
      assert.ok(m.problems.some((p) => p.severity === 'info' && /not terminated by an empty line/.test(p.message)));
    },
  },
  'badvers.dat': {
    expect: 'invalid',
    problem: { re: /unsupported SIP version 'SIP\/7.0'/, spanText: 'SIP/7.0' },
    check(m) {
      const p = m.problems.find((x) => /unsupported SIP version/.test(x.message))!;
      assert.ok(p.span.end <= req(m).span.end, 'reported on the Request-Line');
    },
  },
  'mismatch01.dat': {
    expect: 'invalid',
    problem: { re: /CSeq method 'INVITE' does not match the request method 'OPTIONS'/, spanText: 'INVITE' },
  },
  'mismatch02.dat': {
    expect: 'invalid',
    problem: { re: /CSeq method 'INVITE' does not match the request method 'NEWMETHOD'/, spanText: 'INVITE' },
  },
  'bigcode.dat': {
    expect: 'invalid',
    problem: { re: /status code '4294967301' must be exactly 3 digits/, spanText: '4294967301' },
    check(m) {
      assert.equal(rsp(m).status, 4294967301);
    },
  },
  // ---- §3.2-§3.4: syntactically valid; transaction / application semantics ----------------
  'badbranch.dat': {
    expect: 'valid',
    check(m) {
      assert.equal(pv(vias(m)[0].params, 'branch'), 'z9hG4bK');
    },
  },
  'insuf.dat': {
    expect: 'valid',
    tolerated: 'missing Call-ID/From/To is a rule (RFC3261-REG-005), not a parse problem',
    check(m) {
      assert.equal(firstHeader(m, 'call-id'), undefined);
      assert.equal(firstHeader(m, 'from'), undefined);
      assert.equal(firstHeader(m, 'to'), undefined);
      assert.equal(m.contentLength, 152);
    },
  },
  'unkscm.dat': {
    expect: 'valid',
    check(m) {
      const uri = req(m).uri;
      assert.equal(uri?.scheme, 'nobodyknowsthisscheme');
      assert.equal(uri?.text, 'nobodyKnowsThisScheme:totallyopaquecontent');
      assert.equal(uri?.host, undefined);
    },
  },
  'novelsc.dat': {
    expect: 'valid',
    check(m) {
      const uri = req(m).uri;
      assert.equal(uri?.scheme, 'soap.beep');
      assert.equal(uri?.host, '192.0.2.103');
      assert.equal(uri?.port, 3002);
    },
  },
  'unksm2.dat': {
    expect: 'valid',
    check(m) {
      const to = nameAddr(m, 'to');
      assert.deepEqual([to.uri?.scheme, to.bracketed, to.uri?.text], ['isbn', false, 'isbn:2983792873']);
      const from = nameAddr(m, 'from');
      assert.deepEqual([from.uri?.scheme, from.bracketed, pv(from.params, 'tag')], ['http', true, '3234233']);
      assert.equal(contacts(m)[0].uri?.text, 'name:John_Smith');
    },
  },
  'bext01.dat': {
    expect: 'valid',
    check(m) {
      assert.deepEqual(parseTokenList(m, one(m, 'require')).map((t) => t.token), ['nothingSupportsThis', 'nothingSupportsThisEither']);
      assert.deepEqual(parseTokenList(m, one(m, 'proxy-require')).map((t) => t.token), ['noProxiesSupportThis', 'norDoAnyProxiesSupportThis']);
    },
  },
  'invut.dat': {
    expect: 'valid',
    check(m) {
      assert.equal(one(m, 'content-type').value, 'application/unknownformat');
      assert.equal(m.bodySpan.end - m.bodySpan.start, 40);
    },
  },
  'regaut01.dat': {
    expect: 'valid',
    check(m) {
      const cred = parseCredentials(m, one(m, 'authorization'));
      assert.equal(cred?.scheme, 'NoOneKnowsThisScheme');
      assert.deepEqual(cred?.params.map((p) => [p.name, p.value]), [['opaque-data', 'here']]);
      assert.equal(m.contentLength, 0);
    },
  },
  'multi01.dat': {
    expect: 'valid',
    tolerated: 'RFC 4475 §3.3.8: syntactically valid but semantically invalid; the catalog (P-2) reports each repeated single-valued header as SIP-PARSE-002',
    check(m) {
      const dup = m.problems.filter((p) => p.code === 'SIP-PARSE-002');
      assert.deepEqual(dup.map((p) => p.message.split(' ')[0]).sort(), ['CSeq', 'Call-ID', 'From', 'Max-Forwards', 'To']);
      assert.ok(dup.every((p) => p.severity === 'error'));
      assert.match(text(m, dup.find((p) => p.message.startsWith('Call-ID'))!.span), /^Call-ID: multi01.98asdh@192.0.2.2$/);
      assert.equal(contacts(m).length, 2); // Contact may repeat
    },
  },
  'mcl01.dat': {
    expect: 'valid',
    tolerated: 'RFC 4475 §3.3.9: two Content-Length values: SIP-PARSE-002 plus an error that the body length is unknown',
    check(m) {
      assert.ok(m.problems.some((p) => p.code === 'SIP-PARSE-002' && /Content-Length appears more than once/.test(p.message)));
      assert.ok(m.problems.some((p) => /conflicting Content-Length values 13 and 5/.test(p.message)));
      assert.equal(m.contentLength, undefined);
      assert.equal(m.bodySpan.end, m.text.length);
    },
  },
  'bcast.dat': {
    expect: 'valid',
    check(m) {
      assert.equal(rsp(m).status, 200);
      assert.deepEqual(vias(m).map((v) => v.host), ['192.0.2.198', '255.255.255.255']);
    },
  },
  'zeromf.dat': {
    expect: 'valid',
    check(m) {
      assert.equal(num(m, 'max-forwards'), 0);
    },
  },
  'cparam01.dat': {
    expect: 'valid',
    check(m) {
      const [c] = contacts(m);
      assert.equal(c.bracketed, false);
      assert.equal(c.uri?.text, 'sip:+19725552222@gw1.example.net');
      assert.deepEqual(c.uri?.params, []);
      assert.deepEqual(c.params.map((p) => p.name), ['unknownparam']); // header param (RFC 3261 §20)
    },
  },
  'cparam02.dat': {
    expect: 'valid',
    check(m) {
      const [c] = contacts(m);
      assert.equal(c.bracketed, true);
      assert.deepEqual(c.uri?.params.map((p) => p.name), ['unknownparam']); // URI param
      assert.deepEqual(c.params, []);
    },
  },
  'regescrt.dat': {
    expect: 'valid',
    check(m) {
      const [c] = contacts(m);
      assert.equal(one(m, 'contact').name, 'M');
      assert.equal(c.bracketed, true);
      assert.equal(c.uri?.headers, 'Route=%3Csip:sip.example.com%3E');
      assert.equal(c.uri?.host, 'example.com');
    },
  },
  'sdp01.dat': {
    expect: 'valid',
    check(m) {
      assert.equal(one(m, 'accept').value, 'text/nobodyKnowsThis');
    },
  },
  'inv2543.dat': {
    expect: 'valid',
    tolerated: 'no Content-Length (allowed over UDP): the body runs to the end of the text',
    check(m) {
      assert.equal(m.contentLength, undefined);
      assert.equal(m.bodySpan.end, m.text.length);
      assert.ok(text(m, m.bodySpan).startsWith('v=0'));
      assert.equal(vias(m)[0].params.length, 0);
      const to = nameAddr(m, 'to');
      assert.equal(to.bracketed, false);
      assert.deepEqual(to.uri?.params, []);
      assert.equal(pv(to.params, 'user'), 'phone'); // addr-spec: ;user=phone is a header param
      const from = nameAddr(m, 'from');
      assert.equal(pv(from.uri?.params ?? [], 'user'), 'phone'); // inside <>: URI param
      assert.equal(pv(parseNameAddrList(m, one(m, 'record-route')).values[0].uri?.params ?? [], 'maddr'), 'ss1.example.com');
    },
  },
};

const RFC5118_CASES: Record<string, Case> = {
  'ipv6-good': {
    expect: 'valid',
    check(m) {
      assert.equal(req(m).uri?.host, '[2001:db8::10]');
      assert.equal(vias(m)[0].host, '[2001:db8::9:1]');
      const [c] = contacts(m);
      assert.equal(c.displayName, 'Caller');
      assert.equal(c.uri?.host, '[2001:db8::1]');
    },
  },
  'ipv6-bad': {
    expect: 'invalid',
    problem: { re: /port 'db8::10' is not a number \(an IPv6 address must be enclosed in \[ \]/, spanText: 'db8::10' },
  },
  'port-ambiguous': {
    expect: 'valid',
    tolerated: 'RFC 5118 §4.3: [2001:db8::10:5070] is a valid IPv6 reference; the intended port cannot be known',
    check(m) {
      assert.equal(req(m).uri?.host, '[2001:db8::10:5070]');
      assert.equal(req(m).uri?.port, undefined);
    },
  },
  'port-unambiguous': {
    expect: 'valid',
    check(m) {
      assert.equal(req(m).uri?.host, '[2001:db8::10]');
      assert.equal(req(m).uri?.port, 5070);
    },
  },
  'via-received-param-with-delim': {
    expect: 'valid',
    tolerated: 'RFC 5118 §4.5: a bracketed received is parsed robustly, with an info problem',
    check(m) {
      assert.equal(pv(vias(m)[0].params, 'received'), '[2001:db8::9:255]');
      const p = m.problems.find((x) => /received=\[2001:db8::9:255\] is bracketed/.test(x.message));
      assert.equal(p?.severity, 'info');
    },
  },
  'via-received-param-no-delim': {
    expect: 'valid',
    check(m) {
      assert.equal(pv(vias(m)[0].params, 'received'), '2001:db8::9:255');
      assert.equal(m.problems.length, 0);
    },
  },
  'ipv6-in-sdp': {
    expect: 'valid',
    tolerated: 'the corpus copy declares Content-Length 10 octets short (INDEX.md): the rest is an info problem',
    check(m) {
      assert.equal(m.contentLength, 241);
      assert.equal(nameAddr(m, 'to').uri?.host, '[2001:db8::10]');
    },
  },
  'mult-ip-in-header': {
    expect: 'valid',
    check(m) {
      const v = vias(m);
      assert.deepEqual(v.map((x) => [x.host, x.port, x.transport]), [
        ['[2001:db8::9:1]', 6050, 'UDP'],
        ['192.0.2.1', undefined, 'UDP'],
        ['[2001:db8::9:255]', undefined, 'TCP'],
      ]);
      assert.equal(pv(v[2].params, 'received'), '192.0.2.200');
    },
  },
  'mult-ip-in-sdp': {
    expect: 'valid',
    tolerated: 'Content-Length 8 octets short in the corpus copy (INDEX.md): info problem',
    check(m) {
      assert.equal(contacts(m)[0].uri?.host, '[2001:db8::9:1]');
    },
  },
  'ipv4-mapped-ipv6': {
    expect: 'valid',
    tolerated: 'Content-Length 9 octets short in the corpus copy (INDEX.md): info problem',
    check(m) {
      assert.deepEqual(vias(m).map((v) => [v.host, v.port]), [
        ['[::ffff:192.0.2.10]', 19823],
        ['[::ffff:192.0.2.2]', undefined],
      ]);
      assert.equal(contacts(m)[0].displayName, 'T. desk phone');
    },
  },
  'ipv6-bug-abnf-3-colons': {
    expect: 'invalid',
    problem: { re: /'2001:db8:::192.0.2.1' is not a valid IPv6 address/, spanText: '[2001:db8:::192.0.2.1]' },
  },
  'ipv6-correct-abnf-2-colons': {
    expect: 'valid',
    check(m) {
      assert.equal(req(m).uri?.host, '[2001:db8::192.0.2.1]');
      assert.equal(nameAddr(m, 'to').uri?.host, '[2001:db8::192.0.2.1]');
    },
  },
};

function readIndex(file: string): { file: string; verdict: string; what: string }[] {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const head = lines[0].split('\t');
  const iv = head.indexOf('verdict');
  const iw = head.indexOf('what_it_tests');
  return lines.slice(1).map((l) => {
    const f = l.split('\t');
    return { file: f[0], verdict: f[iv], what: f[iw] };
  });
}

function runCorpus(label: string, dir: string, msgDir: string, cases: Record<string, Case>): void {
  test(`${label}: every INDEX entry has a row`, (t) => {
    if (!existsSync(join(dir, 'INDEX.tsv'))) return t.skip(`corpus absent: ${dir}`);
    const index = readIndex(join(dir, 'INDEX.tsv'));
    assert.deepEqual(index.map((e) => e.file).sort(), Object.keys(cases).sort());
    for (const e of index) {
      const c = cases[e.file];
      // our 'invalid' rows are exactly the RFC's invalid ones
      assert.equal(c.expect === 'invalid', /^invalid/.test(e.verdict), `${e.file}: RFC verdict '${e.verdict}'`);
      assert.ok(existsSync(join(msgDir, e.file)), `${e.file} on disk`);
    }
  });
  for (const [file, c] of Object.entries(cases)) {
    test(`${label} ${file} (${c.expect}${c.tolerated ? '; tolerated: ' + c.tolerated : ''})`, (t) => {
      const p = join(msgDir, file);
      if (!existsSync(p)) return t.skip(`corpus absent: ${p}`);
      const m = parseSipMessage(readFileSync(p).toString('latin1'));
      assert.ok(m.startLine, 'start line parsed');
      if (c.expect === 'valid') {
        const errors = m.problems.filter((x) => x.severity === 'error' && x.code !== 'SIP-PARSE-002' && !/conflicting Content-Length/.test(x.message));
        assert.deepEqual(errors, [], 'no error problems');
        if (!c.tolerated) assert.deepEqual(m.problems.filter((x) => x.severity !== 'info'), [], 'no problems');
      } else {
        const want = c.problem!;
        const found = m.problems.find((x) => want.re.test(x.message));
        assert.ok(found, `expected a problem matching ${want.re}; got:\n${m.problems.map((x) => x.message).join('\n')}`);
        assert.equal(found.code, want.code ?? 'SIP-PARSE-001');
        assert.equal(found.severity, want.severity ?? 'error');
        if (want.spanText !== undefined) {
          const got = m.text.slice(found.span.start, found.span.end);
          if (typeof want.spanText === 'string') assert.equal(got, want.spanText);
          else assert.match(got, want.spanText);
        }
      }
      c.check?.(m);
    });
  }
}

runCorpus('RFC 4475', RFC4475, join(RFC4475, 'resiprocate'), RFC4475_CASES);
runCorpus('RFC 5118', RFC5118, join(RFC5118, 'ersip'), RFC5118_CASES);

test('RFC 4475 ersip variant of baddn.dat (ends with an empty line) gives the same display-name problems', (t) => {
  const p = join(RFC4475, 'ersip-variants', 'baddn.dat');
  if (!existsSync(p)) return t.skip(`corpus absent: ${p}`);
  const m = parseSipMessage(readFileSync(p).toString('latin1'));
  assert.ok(m.problems.some((x) => /display name 'Bell, Alexander' contains ','/.test(x.message)));
  assert.ok(!m.problems.some((x) => /not terminated by an empty line/.test(x.message)));
});

test('corpus messages/**: every message parses without throwing, with consistent spans', (t) => {
  const root = join(CORPUS, 'messages');
  if (!existsSync(root)) return t.skip(`corpus absent: ${root}`);
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.isFile()) files.push(join(d, e.name));
    }
  };
  walk(root);
  assert.ok(files.length >= 50, `found ${files.length} files`);
  for (const f of files) {
    const m = parseSipMessage(readFileSync(f).toString('latin1'));
    assert.ok(m.startLine, `${f}: start line`);
    for (const h of m.headers) {
      assert.ok(m.text.slice(h.span.start, h.span.end).startsWith(h.name), `${f}: span of ${h.name}`);
      assert.ok(h.valueSpan.start >= h.nameSpan.end && h.valueSpan.end <= h.span.end, `${f}: value span of ${h.name}`);
    }
    for (const p of m.problems) assert.ok(p.span.start >= 0 && p.span.end <= m.text.length && p.span.start <= p.span.end, `${f}: problem span`);
    assert.ok(m.bodySpan.start <= m.bodySpan.end && m.bodySpan.end <= m.text.length);
  }
});

test('corpus messages: concrete values', (t) => {
  const k = join(CORPUS, 'messages', 'kamailio-test-misc-sip');
  const n = join(CORPUS, 'messages', 'npm-sip-message-examples');
  if (!existsSync(k) || !existsSync(n)) return t.skip(`corpus absent: ${k}`);
  const load = (f: string) => parseSipMessage(readFileSync(f).toString('latin1'));

  const reg = load(join(k, 'register02.sip'));
  assert.equal(req(reg).method, 'REGISTER');
  assert.equal(req(reg).uri?.port, 5060);
  assert.equal(num(reg, 'expires'), 0);
  assert.equal(pv(contacts(reg)[0].params, 'expires'), '2');
  assert.equal(nameAddr(reg, 'to').displayName, 'Jan_Janak');
  assert.deepEqual(parseProducts(reg, one(reg, 'user-agent')).map((p) => p.product), ['snom100_1.9b']);
  // bare LF lines are accepted with one info problem
  assert.ok(reg.problems.some((p) => p.severity === 'info' && /bare LF/.test(p.message)));
  assert.ok(!reg.problems.some((p) => p.severity === 'error'));

  const nonce = load(join(k, 'short_nonce.sip'));
  const cred = parseCredentials(nonce, one(nonce, 'authorization'));
  assert.equal(cred?.scheme, 'Digest');
  assert.equal(paramValue(cred!.params, 'username')?.unquoted, 'jiri');
  assert.equal(paramValue(cred!.params, 'realm')?.unquoted, 'iptel.org');
  assert.equal(pv(contacts(nonce)[0].params, 'methods'), '"INVITE, MESSAGE, INFO, SUBSCRIBE, OPTIONS, BYE, CANCEL, NOTIFY, ACK"');

  const r4 = load(join(k, 'register04.sip'));
  assert.ok(r4.problems.some((p) => /'bear@iptel.org' is not a URI: no scheme/.test(p.message)));

  // a file whose body lost its CRs: Content-Length counted with CRLF, accepted with an info
  const inv = load(join(k, 'invite00.sip'));
  assert.equal(inv.contentLength, 451);
  assert.ok(inv.problems.some((p) => p.severity === 'info' && /counts CRLF line ends/.test(p.message)));
  assert.ok(!inv.problems.some((p) => p.severity === 'error'));

  const compact = load(join(n, 'invite-compact.sip'));
  assert.equal(vias(compact).length, 2);
  assert.deepEqual(parseTokenList(compact, one(compact, 'supported')).map((x) => x.token), ['em', 'timer', 'replaces', 'path', 'resource-priority', 'sdp-anat']);
  assert.equal(nameAddr(compact, 'from').displayName, 'anonymous');
  assert.ok(['f', 't', 'i', 'm', 'k', 'c', 'l', 'v'].every((c) => compact.headers.some((h) => h.name === c && h.compact)));
});

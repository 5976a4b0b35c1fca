/**
 * Header value parsers: name-addr lists (rule P-4), parameters (P-5, P-6 feature tags), Via,
 * CSeq, option-tag lists (P-8), User-Agent products (P-9), credentials (P-10), URIs, numbers,
 * Date, Warning and the SIP-PARSE-002 comma rule. Every span is checked against the raw text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SipMessage, Span } from '../../../src/core/types';
import {
  firstHeader,
  isIPv6,
  paramValue,
  parseCredentials,
  parseCredentialsWithProblems,
  parseCSeq,
  parseNameAddr,
  parseNameAddrList,
  parseNumberHeader,
  parseParams,
  parseProductsWithProblems,
  parseSipMessage,
  parseTokenList,
  parseTokenListWithProblems,
  parseUri,
  parseValueParams,
  parseVia,
  unquote,
} from '../../../src/core/sip/index';

/** A REGISTER with the given header lines; returns the message and its first header. */
function one(line: string, ...more: string[]) {
  const m = parseSipMessage(['REGISTER sip:ims.example.net SIP/2.0', line, ...more, 'l: 0', '', ''].join('\r\n'));
  return { m, h: m.headers[0] };
}
function s(m: SipMessage, span: Span | undefined): string {
  assert.ok(span);
  return m.text.slice(span.start, span.end);
}

test('Contact list: commas inside quotes and <> do not split; URI params vs header params', () => {
  const { m, h } = one(
    'Contact: "A, \\"B\\"" <sip:a,b@x.example;transport=tcp>;+g.3gpp.iari-ref="urn%3Aa,urn%3Ab";+g.oma.sip-im;expires=600, <sip:c@y.example>;q=0.5',
  );
  const r = parseNameAddrList(m, h);
  assert.deepEqual(r.problems, []);
  assert.equal(r.values.length, 2);
  const [a, b] = r.values;
  assert.equal(a.displayName, 'A, "B"');
  assert.equal(s(m, a.displayNameSpan), '"A, \\"B\\""');
  assert.equal(a.bracketed, true);
  assert.equal(a.uri?.user, 'a,b');
  assert.deepEqual(a.uri?.params.map((p) => [p.name, p.value]), [['transport', 'tcp']]);
  assert.deepEqual(a.params.map((p) => p.name), ['+g.3gpp.iari-ref', '+g.oma.sip-im', 'expires']);
  const iari = paramValue(a.params, '+G.3GPP.IARI-REF')!;
  assert.equal(iari.value, '"urn%3Aa,urn%3Ab"');
  assert.equal(iari.unquoted, 'urn%3Aa,urn%3Ab');
  assert.equal(s(m, iari.span), '+g.3gpp.iari-ref="urn%3Aa,urn%3Ab"');
  assert.equal(s(m, iari.nameSpan), '+g.3gpp.iari-ref');
  assert.equal(s(m, iari.valueSpan), '"urn%3Aa,urn%3Ab"');
  assert.equal(paramValue(a.params, '+g.oma.sip-im')?.value, undefined); // flag
  assert.equal(s(m, a.span), m.text.slice(h.valueSpan.start, m.text.indexOf(', <sip:c')));
  assert.equal(b.uri?.host, 'y.example');
  assert.equal(paramValue(b.params, 'Q')?.value, '0.5');
});

test('Contact: +sip.instance "<urn>" value, SWS around ; and =, escaped quotes', () => {
  const { m, h } = one('Contact: <sip:alice@192.0.2.1:5060> ; +sip.instance = "<urn:uuid:0001>" ;reg-id=1 ;  +g.oma.sip-im.large-message');
  const [c] = parseNameAddrList(m, h).values;
  assert.equal(c.uri?.port, 5060);
  assert.deepEqual(c.params.map((p) => [p.name, p.unquoted]), [
    ['+sip.instance', '<urn:uuid:0001>'],
    ['reg-id', '1'],
    ['+g.oma.sip-im.large-message', undefined],
  ]);
  assert.equal(s(m, c.params[0].span), '+sip.instance = "<urn:uuid:0001>"');
  // whole-name comparison: the prefix tag is not present (rule P-6)
  assert.equal(paramValue(c.params, '+g.oma.sip-im'), undefined);
  assert.equal(unquote('"a\\"b\\\\c"'), 'a"b\\c');
});

test('Contact: * alone, * with params, * with other values; expires and q checks', () => {
  let r = parseNameAddrList(one('Contact: *').m, one('Contact: *').h);
  assert.deepEqual(r.values.map((v) => [v.star, v.bracketed, v.params.length]), [[true, false, 0]]);
  assert.deepEqual(r.problems, []);
  const star = one('Contact: * ;expires=0');
  r = parseNameAddrList(star.m, star.h);
  assert.match(r.problems[0].message, /'\*' takes no parameters/);
  const mixed = one('Contact: *, <sip:a@b>');
  r = parseNameAddrList(mixed.m, mixed.h);
  assert.match(r.problems[0].message, /cannot be combined with other Contact values/);
  assert.equal(s(mixed.m, r.problems[0].span), '*');
  const bad = one('Contact: <sip:a@b>;q=1.5;expires=abc');
  r = parseNameAddrList(bad.m, bad.h);
  assert.deepEqual(r.problems.map((p) => s(bad.m, p.span)), ['abc', '1.5']);
  const ok = one('Contact: <sip:a@b>;q=1.000;expires=0, <sip:c@d>;q=0;expires=4294967295');
  assert.deepEqual(parseNameAddrList(ok.m, ok.h).problems, []);
  // '*' is only a Contact value
  const route = one('Route: *');
  assert.match(parseNameAddrList(route.m, route.h).problems[0].message, /only allowed as the whole value of Contact/);
});

test('addr-spec: every ;param after the URI is a header param; ? needs <>; name-addr problems', () => {
  let x = one('To: sip:bob@b.example;user=phone;tag=9');
  let v = parseNameAddr(x.m, x.h).value!;
  assert.equal(v.bracketed, false);
  assert.deepEqual(v.uri?.params, []);
  assert.deepEqual(v.params.map((p) => p.name), ['user', 'tag']);
  x = one('To: <sip:bob@b.example;user=phone>;tag=9');
  v = parseNameAddr(x.m, x.h).value!;
  assert.deepEqual(v.uri?.params.map((p) => p.name), ['user']);
  assert.deepEqual(v.params.map((p) => p.name), ['tag']);

  const cases: [string, RegExp, string][] = [
    ['To: sip:bob@b.example?x=y', /contains '\?' \(URI headers\) and must be enclosed/, 'sip:bob@b.example?x=y'],
    ['To: "Bob" sip:bob@b', /a quoted display name must be followed by '<URI>'/, 'sip:bob@b'],
    ['To: "Bob <sip:bob@b>', /unterminated quoted string in the display name/, '"Bob <sip:bob@b>'],
    ['To: Bob <sip:bob@b', /'<' without a closing '>'/, '<sip:bob@b'],
    ['To: Bob@Home <sip:bob@b>', /display name 'Bob@Home' contains '@'/, '@'],
    ['To: <bob@b.example>', /'bob@b.example' is not a URI: no scheme/, 'bob@b.example'],
    ['To: <sip:bob@b> x', /unexpected 'x' where ';' or the end of the value was expected/, 'x'],
    ['To: <sip:bob@b>;tag=a"b', /'"' is not allowed in the unquoted value of parameter 'tag'/, '"'],
    ['To: <sip:bob@b>;=x', /parameter name expected after ';' but found '='/, '=x'],
    ['To: <sip:bob@b>;tag=', /parameter 'tag' has '=' but no value/, ';tag='],
    ['To: <sip:bob@b>;p="x', /unterminated quoted string in the value of parameter 'p'/, '"x'],
    ['To:', /empty To value/, ''],
  ];
  for (const [line, re, span] of cases) {
    const { m, h } = one(line);
    const r = parseNameAddr(m, h);
    const p = r.problems.find((q) => re.test(q.message));
    assert.ok(p, `${line}: ${r.problems.map((q) => q.message).join('; ')}`);
    assert.equal(p.code, 'SIP-PARSE-001');
    assert.equal(s(m, p.span), span, line);
    // the same problems are in msg.problems
    assert.ok(m.problems.some((q) => q.message === p.message && q.span.start === p.span.start), line);
  }
  // two complete addresses in From: SIP-PARSE-002, the first is returned
  const two = one('From: <sip:a@b>;tag=1, <sip:c@d>;tag=2');
  const r = parseNameAddr(two.m, two.h);
  assert.equal(r.value?.uri?.text, 'sip:a@b');
  assert.equal(r.problems[0].code, 'SIP-PARSE-002');
  assert.equal(s(two.m, r.problems[0].span), '<sip:c@d>;tag=2');
});

test('parseParams: ";a=b;c" with SWS, quoted values with escapes and commas', () => {
  const text = 'x ; a = b ;c;  q="x;y,\\"z" ; lr';
  const ps = parseParams(text, 1, text.length);
  assert.deepEqual(ps.map((p) => [p.name, p.value, p.unquoted]), [
    ['a', 'b', 'b'],
    ['c', undefined, undefined],
    ['q', '"x;y,\\"z"', 'x;y,"z'],
    ['lr', undefined, undefined],
  ]);
  assert.equal(text.slice(ps[0].span.start, ps[0].span.end), 'a = b');
  assert.equal(text.slice(ps[2].valueSpan!.start, ps[2].valueSpan!.end), '"x;y,\\"z"');
  assert.deepEqual(parseParams(';;', 0, 2), []);
  assert.equal(paramValue(ps, 'LR')?.name, 'lr');
});

test('parseUri: sip/sips parts, IPv6, tel, other schemes, problems', () => {
  const t = 'sips:alice:secret@[2001:db8::1]:5061;transport=tcp;lr?subject=hi&priority=urgent';
  const u = parseUri(t, { start: 0, end: t.length });
  assert.deepEqual(
    [u.scheme, u.user, (u as { password?: string }).password, u.host, u.port, u.params.map((p) => p.name), u.headers],
    ['sips', 'alice', 'secret', '[2001:db8::1]', 5061, ['transport', 'lr'], 'subject=hi&priority=urgent'],
  );
  assert.equal(u.text, t);
  assert.equal(t.slice(u.params[0].span.start, u.params[0].span.end), 'transport=tcp');
  const telText = 'tel:+1-201-555-0123;phone-context=example.com';
  const tel = parseUri(telText, { start: 0, end: telText.length });
  assert.deepEqual([tel.scheme, tel.user, tel.params[0].value], ['tel', '+1-201-555-0123', 'example.com']);
  const urn = parseUri('urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6', { start: 0, end: 45 });
  assert.deepEqual([urn.scheme, urn.host, urn.params], ['urn', undefined, []]);
  const up = parseUri('SIP:Bob@Example.COM', { start: 0, end: 19 });
  assert.deepEqual([up.scheme, up.user, up.host], ['sip', 'Bob', 'Example.COM']);

  const problem = (line: string) => {
    const { m, h } = one(`Route: <${line}>`);
    return parseNameAddrList(m, h).problems.map((p) => [p.message.replace(/ \(.*$/, ''), s(m, p.span)]);
  };
  assert.deepEqual(problem('sip:a@host:99999'), [['port 99999 is out of range', '99999']]);
  assert.deepEqual(problem('sip:a@host:'), [["empty port after ':' in 'host:'", '']]);
  assert.deepEqual(problem('sip:a@[2001:db8::1'), [["IPv6 reference '[2001:db8::1' has no closing ']'", '[2001:db8::1']]);
  assert.deepEqual(problem('sip:a b@host'), [["a space inside URI 'sip:a b@host'", ' '], ["a space is not allowed in the user part of URI 'sip:a b@host'", ' ']]);
  assert.deepEqual(problem('sip:a%4@host'), [["'%' not followed by two hex digits in the user part of URI 'sip:a%4@host'", '%4']]);
  assert.deepEqual(problem('sip:a@ho_st'), [["'_' is not allowed in host 'ho_st'", '_']]);
  assert.deepEqual(problem('sip:@host'), [["empty user part before '@' in URI 'sip:@host'", '@']]);
  assert.deepEqual(problem('sip:;lr'), [["missing host in URI 'sip:;lr'", '']]);
  assert.deepEqual(problem('sip:host;p=a"b'), [["'\"' is not allowed in the unquoted value of URI parameter 'p'", '"']]);
  assert.equal(isIPv6('::ffff:192.0.2.1'), true);
  assert.equal(isIPv6('2001:db8::10:5070'), true);
  assert.equal(isIPv6('2001:db8:::1'), false);
  assert.equal(isIPv6('1:2:3:4:5:6:7:8:9'), false);
  assert.equal(isIPv6('1:2:3:4:5:6:7:8'), true);
});

test('Via: SWS in sent-protocol, IPv6 sent-by, port, params; problems', () => {
  const { m, h } = one('Via: SIP / 2.0 / udp [2001:db8::1] : 5060 ;rport;branch=z9hG4bK1;received=192.0.2.7, SIP/2.0/TCP proxy.example');
  const r = parseVia(m, h);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.values.map((v) => [v.protocol, v.transport, v.host, v.port]), [
    ['SIP/2.0/UDP', 'UDP', '[2001:db8::1]', 5060],
    ['SIP/2.0/TCP', 'TCP', 'proxy.example', undefined],
  ]);
  assert.deepEqual(r.values[0].params.map((p) => [p.name, p.value]), [['rport', undefined], ['branch', 'z9hG4bK1'], ['received', '192.0.2.7']]);
  assert.equal(s(m, r.values[1].span), 'SIP/2.0/TCP proxy.example');

  const cases: [string, RegExp, string][] = [
    ['Via: SIP/2.0/UDP', /no sent-by host after SIP\/2.0\/UDP/, 'SIP/2.0/UDP'],
    ['Via: SIP/2.0 host', /does not start with a sent-protocol/, 'SIP/2.0'],
    ['Via: SIP/2.0/UDP host:abc;branch=z', /Via sent-by port 'abc' after 'host:' is not a number/, ':abc'],
    ['Via: SIP/2.0/UDP host:70000', /port 70000 is out of range/, '70000'],
    ['Via: SIP/2.0/UDP h;received=host.example', /received='host.example' is not an IPv4 or IPv6 address/, 'host.example'],
    ['Via: SIP/2.0/UDP h;rport=x', /rport=x must be a number/, 'x'],
    ['Via: SIP/2.0/UDP h;ttl=300', /ttl=300 must be a number from 0 to 255/, '300'],
    ['Via: SIP/2.0/UDP h;branch', /branch parameter without a value/, 'branch'],
    ['Via: SIP/2.0/UDP ho$t', /'\$' is not allowed in Via sent-by host 'ho\$t'/, '$'],
    ['Via: SIP/2.0/UDP h,', /empty item in the comma-separated Via list/, ','],
  ];
  for (const [line, re, span] of cases) {
    const x = one(line);
    const p = parseVia(x.m, x.h).problems.find((q) => re.test(q.message));
    assert.ok(p, `${line}: ${parseVia(x.m, x.h).problems.map((q) => q.message).join('; ')}`);
    assert.equal(s(x.m, p.span), span, line);
  }
});

test('CSeq: number and method with spans; problems', () => {
  const { m } = one('CSeq: 4711   REGISTER');
  const c = parseCSeq(m)!;
  assert.deepEqual([c.num, c.method, s(m, c.numSpan), s(m, c.methodSpan), s(m, c.span)], [4711, 'REGISTER', '4711', 'REGISTER', '4711   REGISTER']);
  assert.equal(parseCSeq(one('Call-ID: x@y').m), undefined);
  const bad = (line: string) => one(line).m.problems.map((p) => p.message.replace(/ \(.*$/, ''));
  assert.deepEqual(bad('CSeq: REGISTER'), ["CSeq 'REGISTER' must start with a sequence number"]);
  assert.deepEqual(bad('CSeq: 2147483648 REGISTER'), ['CSeq number 2147483648 is too large: it must be less than 2^31']);
  assert.deepEqual(bad('CSeq: 2147483647 REGISTER'), []);
  assert.deepEqual(bad('CSeq: 1 REGISTER x'), ["unexpected ' x' after the CSeq method"]);
  assert.deepEqual(bad('CSeq: 1 REG@ISTER'), ["unexpected '@ISTER' after the CSeq method", "CSeq method 'REG' does not match the request method 'REGISTER'"]);
});

test('option-tag lists (P-8): split on commas, trimmed, spans; empty items and bad chars', () => {
  const { m, h } = one('Require: pref ,  sec-agree,path');
  const r = parseTokenListWithProblems(m, h);
  assert.deepEqual(r.values.map((t) => [t.token, s(m, t.span)]), [['pref', 'pref'], ['sec-agree', 'sec-agree'], ['path', 'path']]);
  assert.deepEqual(r.problems, []);
  const bad = one('Require: pref, , sec agree');
  assert.deepEqual(parseTokenListWithProblems(bad.m, bad.h).problems.map((p) => s(bad.m, p.span)), [',', ' ']);
  assert.deepEqual(parseTokenList(bad.m, bad.h).map((t) => t.token), ['pref', 'sec agree']);
  // Supported / Allow / Accept may be empty; Require may not
  assert.deepEqual(one('Supported:').m.problems, []);
  assert.deepEqual(one('Allow:').m.problems, []);
  assert.match(one('Require:').m.problems[0].message, /empty Require value/);
});

test('User-Agent / Server (P-9): products, versions with SLASH SWS, nested comments', () => {
  const { m, h } = one('User-Agent: IM-client/OMA1.0 Foo / 2.1 (a (nested) \\) comment) Bar');
  const r = parseProductsWithProblems(m, h);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.values.map((p) => [p.product, p.version, p.isComment, s(m, p.span)]), [
    ['IM-client', 'OMA1.0', false, 'IM-client/OMA1.0'],
    ['Foo', '2.1', false, 'Foo / 2.1'],
    ['a (nested) \\) comment', undefined, true, '(a (nested) \\) comment)'],
    ['Bar', undefined, false, 'Bar'],
  ]);
  const bad = (line: string) => parseProductsWithProblems(one(line).m, one(line).h).problems.map((p) => p.message.replace(/ \(RFC.*$/, ''));
  assert.deepEqual(bad('User-Agent: Foo (unterminated'), ["unterminated comment in User-Agent: '(' without a matching ')'"]);
  assert.deepEqual(bad('Server: Foo/'), ["Server product 'Foo' has '/' but no version"]);
  assert.deepEqual(bad('User-Agent: Foo@1.0'), ["User-Agent product 'Foo@1.0' contains '@', which is not allowed in a token"]);
  assert.deepEqual(bad('User-Agent:'), ['empty User-Agent: at least one product or comment is required']);
});

test('credentials (P-10): scheme + params, commas inside quotes, never split into values', () => {
  const { m, h } = one(
    'Authorization: Digest username="alice@ims.example.net", realm="ims.example.net", nonce="a,b", uri="sip:ims.example.net", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, qop=auth, nc=00000001, cnonce="0a4f113b"',
  );
  const c = parseCredentials(m, h)!;
  assert.equal(c.scheme, 'Digest');
  assert.equal(s(m, c.schemeSpan), 'Digest');
  assert.deepEqual(c.params.map((p) => p.name), ['username', 'realm', 'nonce', 'uri', 'response', 'algorithm', 'qop', 'nc', 'cnonce']);
  assert.equal(paramValue(c.params, 'nonce')?.unquoted, 'a,b');
  assert.equal(paramValue(c.params, 'qop')?.value, 'auth');
  assert.equal(s(m, paramValue(c.params, 'nc')!.span), 'nc=00000001');
  assert.deepEqual(m.problems, []);
  // two WWW-Authenticate rows stay two headers; a challenge's qop list stays one value
  const two = parseSipMessage(
    'SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: Digest realm="a", qop="auth,auth-int", nonce="1"\r\nWWW-Authenticate: Digest realm="b", nonce="2", algorithm=AKAv1-MD5\r\nl: 0\r\n\r\n',
  );
  const challenges = two.headers.filter((x) => x.key === 'www-authenticate').map((x) => parseCredentials(two, x)!);
  assert.deepEqual(challenges.map((x) => paramValue(x.params, 'realm')?.unquoted), ['a', 'b']);
  assert.equal(paramValue(challenges[0].params, 'qop')?.unquoted, 'auth,auth-int');
  assert.deepEqual(two.problems, []);
  const bad = (line: string) => parseCredentialsWithProblems(one(line).m, one(line).h).problems.map((p) => p.message.replace(/ \(RFC.*$/, ''));
  assert.deepEqual(bad('Authorization: ="x"'), ['Authorization must start with an authentication scheme such as Digest']);
  assert.deepEqual(bad('Authorization: Digest'), ["Authorization scheme 'Digest' has no parameters"]);
  assert.deepEqual(bad('Authorization: Digest username'), ["Authorization parameter 'username' must be name=value"]);
  assert.deepEqual(bad('Authorization: Digest uri=sip:a'), ["':' in the unquoted value of Authorization parameter 'uri'; quote the value"]);
  assert.deepEqual(bad('Authorization: Digest nonce="abc'), ["unterminated quoted string in Authorization parameter 'nonce'"]);
});

test('numbers: Expires, Max-Forwards, Min-Expires, Content-Length ranges and syntax', () => {
  const num = (line: string) => {
    const { m, h } = one(line);
    const r = parseNumberHeader(m, h);
    return [r.value, r.problems.map((p) => `${p.severity}: ${p.message.replace(/ \(RFC.*$/, '')}`)];
  };
  assert.deepEqual(num('Expires: 600'), [600, []]);
  assert.deepEqual(num('Expires: 0600'), [600, []]);
  assert.deepEqual(num('Expires: 4294967295'), [4294967295, []]);
  assert.deepEqual(num('Expires: 4294967296'), [4294967296, ['warning: Expires 4294967296 exceeds 2^32-1 (4294967295) seconds']]);
  assert.deepEqual(num('Expires: -1'), [undefined, ["error: Expires '-1' is not a non-negative integer"]]);
  assert.deepEqual(num('Expires: 60s'), [undefined, ["error: Expires '60s' is not a non-negative integer"]]);
  assert.deepEqual(num('Max-Forwards: 255'), [255, []]);
  assert.deepEqual(num('Max-Forwards: 256'), [256, ['error: Max-Forwards 256 is out of range (0-255)']]);
  assert.deepEqual(num('Min-Expires: 3600'), [3600, []]);
  assert.deepEqual(num('Retry-After: 120 (busy);duration=60'), [120, []]);
});

test('Date (GMT only), Warning, Call-ID, Content-Type, Accept-Contact, Event validation', () => {
  const probs = (line: string) => one(line).m.problems.map((p) => p.message.replace(/ \(RFC.*$/, ''));
  assert.deepEqual(probs('Date: Sat, 13 Nov 2010 23:29:00 GMT'), []);
  assert.deepEqual(probs('Date: Sat, 13 Nov 2010 23:29:00 +0100'), ["Date time zone must be GMT, not '+0100'"]);
  assert.deepEqual(probs('Date: yesterday'), ["Date 'yesterday' is not an RFC 1123 date such as 'Sat, 13 Nov 2010 23:29:00 GMT'"]);
  assert.deepEqual(probs('Warning: 399 host.example "Something odd", 301 proxy "x"'), []);
  assert.deepEqual(probs('Warning: 399 host.example'), ['Warning value must be: 3-digit code, agent, quoted text (e.g. 399 host "text")']);
  assert.deepEqual(probs('Call-ID: abc@def@ghi'), ["Call-ID 'abc@def@ghi' must be word or word@word"]);
  assert.deepEqual(probs('Call-ID: a,b'), ['Call-ID holds 2 comma-separated values; it takes exactly one']);
  assert.deepEqual(probs('Content-Type: application/sdp;charset=utf-8'), []);
  assert.deepEqual(probs('Content-Type: application'), ["Content-Type value 'application' is not a media type 'type/subtype'"]);
  assert.deepEqual(probs('Accept: */*, application/*;q=0.5'), []);
  assert.deepEqual(probs('Accept-Contact: *;+g.oma.sip-im;require;explicit'), []);
  assert.deepEqual(probs('Accept-Contact: +g.oma.sip-im'), ["Accept-Contact value '+g.oma.sip-im' must be '*' followed by parameters"]);
  assert.deepEqual(probs('Event: reg;id=1'), []);
  assert.deepEqual(probs('SIP-ETag: dx200xyz'), []);
  assert.deepEqual(probs('Security-Client: ipsec-3gpp;alg=hmac-sha-1-96;spi-c=1;port-c=2, tls;q=0.1'), []);
  assert.deepEqual(probs('Subject: anything: goes; here, really'), []);

  const ac = one('a: *;+g.oma.sip-im;explicit');
  const v = parseValueParams(ac.m, ac.h, 'star').values;
  assert.deepEqual(v.map((x) => [x.value, x.params.map((p) => p.name)]), [['*', ['+g.oma.sip-im', 'explicit']]]);
  assert.equal(firstHeader(ac.m, 'accept-contact')?.compact, true);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ansiBounds, findStartLine, isBinaryLine, isDelimiterLine, isHeaderLike, isSeparatorLine, makePrefixMatcher, utf8Length } from '../../../src/core/logs/text';
import { normalizeIp, parseHostPort, transportName } from '../../../src/core/logs/address';
import { LogClock } from '../../../src/core/logs/time';

test('findStartLine: requests and responses, at column 1 or after a prefix', () => {
  assert.equal(findStartLine('REGISTER sip:example.com SIP/2.0', true), 0);
  assert.equal(findStartLine('SIP/2.0 401 Unauthorized', true), 0);
  assert.equal(findStartLine('SIP/2.0 200', true), 0);
  assert.equal(findStartLine('[Mar 30 13:35:51] REGISTER sip:10.49.0.2 SIP/2.0', true), 18);
  assert.equal(findStartLine(' 1(9273) INFO: <script>: msg: INVITE sip:b@x SIP/2.0', true), 30);
  // "INFO" before the method is not taken as the method: the start line is the last 3 fields.
  assert.equal(findStartLine('2024-01-01 INFO INVITE sip:b@x SIP/2.0', true), 16);
  assert.equal(findStartLine('   SIP/2.0 180 Ringing', true), 3);
});

test('findStartLine: what is not a start line', () => {
  assert.equal(findStartLine('Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1', false), -1);
  assert.equal(findStartLine('version: <SIP/2.0>', false), -1);
  assert.equal(findStartLine('[[REGISTER sip:<pubip> SIP/2.0 0D  0A Via: SIP/2.0/UDP]]', false), -1);
  assert.equal(findStartLine('SIP/2.0 20 OK', false), -1);
  assert.equal(findStartLine('XSIP/2.0 200 OK', false), -1);
  // Strict (no marker around it): upper-case method, an absolute URI, SIP/2.0.
  assert.equal(findStartLine('routing to sip:b@x SIP/2.0', true), -1);
  assert.equal(findStartLine('INVITE bob SIP/2.0', true), -1);
  assert.equal(findStartLine('INVITE sip:b@x SIP/3.0', true), -1);
  // ... which a marker line does not require: the parser reports what is wrong.
  assert.equal(findStartLine('INVITE bob SIP/3.0', false), 0);
});

test('header-looking lines, separators and delimiters', () => {
  assert.ok(isHeaderLike('Via: SIP/2.0/UDP x'));
  assert.ok(isHeaderLike('v : SIP/2.0/UDP x'));
  assert.ok(isHeaderLike('X-Twilio-CallSid: CA23'));
  assert.ok(!isHeaderLike(' ;branch=z9hG4bK1'));
  assert.ok(!isHeaderLike('2024-11-24T15:06:20.101Z proxy[311]: INFO next hop'));
  assert.ok(!isHeaderLike('hello world'));
  assert.ok(isSeparatorLine('----------------------------------------'));
  assert.ok(isSeparatorLine('   ' + '-'.repeat(72)));
  assert.ok(isSeparatorLine('||||||||||||||||||||'));
  assert.ok(isSeparatorLine('#'));
  assert.ok(!isSeparatorLine('--uniqueBoundary'));
  assert.ok(!isSeparatorLine('--'));
  assert.ok(isDelimiterLine('<------------->'));
  assert.ok(isDelimiterLine('----------------------------------------------- 2026-11-24 15:06:20.138154'));
  assert.ok(!isDelimiterLine('<--- SIP read from UDP:1.2.3.4:5060 --->'));
});

test('prefix matcher: whitespace repeats exactly, other prefixes by shape', () => {
  const ws = makePrefixMatcher('   ');
  assert.ok(ws);
  assert.equal(ws.match('   Via: x'), 3);
  assert.equal(ws.match('    ;branch=1'), 3); // a folded line keeps its own leading blank
  assert.equal(ws.match('  Via: x'), -1);
  assert.equal(ws.match(''), 0);
  const ts = makePrefixMatcher('[Mar 30 13:35:51] ');
  assert.ok(ts);
  assert.equal(ts.match('[Mar 30 13:35:52] Via: x'), 18);
  assert.equal(ts.match('[Apr  1 00:00:00] Via: x'), 18);
  assert.equal(ts.match('[Mar 30 13:35:51]'), 17); // empty message line with its blank trimmed
  assert.equal(ts.match('Via: x'), -1);
  const sys = makePrefixMatcher('Nov 24 15:06:20 sip1 kamailio[9273]: ');
  assert.ok(sys);
  assert.equal(sys.match('Nov 24 15:06:21 sip1 kamailio[9273]: To: <sip:a@b>'), 37);
  assert.equal(sys.match('Nov 24 15:06:21 edge1 kamailio[9273]: To: <sip:a@b>'), -1);
  // Letters other than month and day names must repeat: "msg: " does not match "Via: ".
  const word = makePrefixMatcher('msg: ');
  assert.ok(word);
  assert.equal(word.match('Via: SIP/2.0/UDP x'), -1);
  assert.equal(makePrefixMatcher(''), undefined);
});

test('colour codes, binary lines, UTF-8 length', () => {
  assert.deepEqual(ansiBounds('\x1b[36;1m#'), { start: 7, end: 8 });
  assert.deepEqual(ansiBounds('\x1b[;m'), { start: 4, end: 4 });
  assert.deepEqual(ansiBounds('a=sendrecv\x1b[;m'), { start: 0, end: 10 });
  assert.deepEqual(ansiBounds('plain'), { start: 0, end: 5 });
  assert.ok(isBinaryLine('ab\u0000cd'));
  assert.ok(isBinaryLine('\ufffd\ufffd\u0001abc'));
  assert.ok(!isBinaryLine('From: "Zo\ufffd" <sip:zoe@example.com>;tag=1234567890'));
  assert.ok(!isBinaryLine('\x1b[36;1m#\tx'));
  assert.equal(utf8Length('héllo'), 6);
  assert.equal(utf8Length('😀'), 4);
  assert.equal(utf8Length('€'), 3);
});

test('addresses: IPv4, IPv6 in RFC 5952 form, bracketed or not, host names refused', () => {
  assert.deepEqual(parseHostPort('192.0.2.1:5060'), { ip: '192.0.2.1', port: 5060 });
  assert.deepEqual(parseHostPort('[2001:DB8:0:0:0:0:0:1]:5061'), { ip: '2001:db8::1', port: 5061 });
  assert.deepEqual(parseHostPort('2001:db8::10:5060'), { ip: '2001:db8::10', port: 5060 });
  assert.deepEqual(parseHostPort('::ffff:159.122.10.242:5060'), { ip: '::ffff:159.122.10.242', port: 5060 });
  assert.equal(parseHostPort('sbc6.fr.sip.ovh:5060'), undefined);
  assert.equal(parseHostPort('192.0.2.1'), undefined);
  assert.equal(parseHostPort('300.0.2.1:5060'), undefined);
  assert.equal(normalizeIp('2001:0db8:0000:0000:0001:0000:0000:0001'), '2001:db8::1:0:0:1');
  assert.equal(normalizeIp('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1'); // one 0 group stays
  assert.equal(normalizeIp('::'), '::');
  assert.equal(normalizeIp('::1.2.3.4'), '::102:304');
  assert.equal(normalizeIp('fe80::1%eth0'), 'fe80::1');
  assert.equal(normalizeIp('1:2:3:4:5:6:7:8:9'), undefined);
  assert.equal(transportName('wss'), 'WSS');
  assert.equal(transportName('dtls'), 'unknown');
});

test('time stamps: full dates, dates taken from earlier lines, years that are missing', () => {
  const clock = new LogClock();
  assert.deepEqual(clock.leading('19:17:07.918818'), { sec: 69427, nsec: 918818000 }); // 1970-01-01
  assert.deepEqual(clock.leading('Nov 24 15:06:20 host'), { sec: 28307180, nsec: 0 });
  clock.observe('2022-02-02 19:17:07.920586 [DEBUG] sofia.c:7738 x');
  assert.deepEqual(clock.timeOfDay(19, 17, 7, '918818'), { sec: 1643829427, nsec: 918818000 });
  assert.deepEqual(clock.leading('[2024-11-24 15:06:20.138] VERBOSE[9301]'), { sec: 1732460780, nsec: 138000000 });
  assert.deepEqual(clock.leading('2020-07-22 13:06:23:569 [belle-sip]'), { sec: 1595423183, nsec: 569000000 });
  assert.deepEqual(clock.leading('Jun  4 06:18:07 x'), { sec: 1591251487, nsec: 0 }); // year of the last date: 2020
  assert.equal(clock.leading('REGISTER sip:x SIP/2.0'), undefined);
});

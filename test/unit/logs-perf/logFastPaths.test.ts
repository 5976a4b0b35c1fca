/**
 * The cheap pre-checks of the log reader (line splitting with indexOf, first-character and
 * line-end tests before the marker and header regexes, the cached date in timestampOf) must
 * give exactly what the plain checks gave. These tests pin the cases the shortcuts could get
 * wrong: which marker group a line belongs to when it holds the key of several, line breaks
 * across chunk boundaries, and time stamps with out-of-range fields.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogReader } from '../../../src/core/logs/index';
import type { LogSipText } from '../../../src/core/logs/index';
import { detectMarker } from '../../../src/core/logs/markers';
import { contentLengthOf, isBlank, isHeaderLike, isSeparatorLine } from '../../../src/core/logs/text';
import { LogClock, timestampOf } from '../../../src/core/logs/time';
import type { Problem } from '../../../src/core/types';

const enc = new TextEncoder();

function read(bytes: Uint8Array, chunk: number, maxLineLength?: number): { messages: LogSipText[]; problems: Problem[] } {
  const messages: LogSipText[] = [];
  const problems: Problem[] = [];
  const r = new LogReader({ message: (m) => messages.push(m), problem: (p) => problems.push(p) }, { maxLineLength });
  for (let i = 0; i < bytes.length; i += chunk) r.push(bytes.subarray(i, i + chunk));
  r.end();
  return { messages, problems };
}

test('detectMarker: the first key a line holds decides its group, as before the pre-checks', () => {
  const ctx = { clock: new LogClock() };
  const sngrep = detectMarker('2016/10/17 10:44:24.123456 1.2.3.4:5060 -> 5.6.7.8:5060', ctx);
  assert.equal(sngrep?.format, 'sngrep');
  assert.deepEqual(sngrep?.meta.src, { ip: '1.2.3.4', port: 5060 });
  // ' bytes' comes first in the chain: a line holding it is never an sngrep line.
  assert.equal(detectMarker('2016/10/17 10:44:24.123456 1.2.3.4:5060 -> 5 bytes', ctx), undefined);
  assert.equal(detectMarker('UDP 1.2.3.4:5060 -> 5.6.7.8:5060', ctx)?.format, 'baresip');
  assert.equal(detectMarker('UDP 1 bytes:5060 -> 5.6.7.8:5060', ctx), undefined);
  const acme = 'Mar  6 13:34:49.416 On [6:0]10.102.130.185:5060 received from 10.102.130.150:5060';
  assert.equal(detectMarker(acme, ctx)?.format, 'wireshark-sipmsg');
  // ' -> ' comes before ' On ': a sipmsg-shaped line holding it gives nothing.
  assert.equal(detectMarker('Mar  6 13:34:49.416 On -> received from 10.102.130.150:5060', ctx), undefined);
  // ...and one holding ' bytes' (tried first) gives nothing either.
  assert.equal(detectMarker('Mar  6 13:34:49.416 On x:1 received from bytes:5060', ctx), undefined);
  // SIPp markers end with ':' then blanks; a non-ASCII blank is still read as `\s`.
  assert.equal(detectMarker('UDP message sent (321 bytes):', ctx)?.format, 'sipp');
  assert.equal(detectMarker('UDP message received [308] bytes :\u00a0', ctx)?.format, 'sipp');
  assert.equal(detectMarker('UDP message sent (321 bytes):x', ctx), undefined);
  // '<---' wins over everything else.
  assert.equal(detectMarker('<--- SIP read from UDP:10.49.0.1:5064 --->', ctx)?.format, 'asterisk-chan-sip');
  assert.equal(detectMarker('<--- x UDP message sent (321 bytes):', ctx), undefined);
  // Header lines never announce a message.
  for (const h of ['To: <sip:a@b>', 'User-Agent: x -> y', 'Via: SIP/2.0/UDP h', 'TCP: x', 'Supported: bytes']) assert.equal(detectMarker(h, ctx), undefined);
});

test('text pre-checks agree with the regexes they guard', () => {
  assert.equal(contentLengthOf('Content-Length: 12'), 12);
  assert.equal(contentLengthOf('content-LENGTH :7 '), 7);
  assert.equal(contentLengthOf('l: 3'), 3);
  assert.equal(contentLengthOf('L\t: 4'), 4);
  assert.equal(contentLengthOf('Contact: <sip:a@b>'), undefined);
  assert.equal(contentLengthOf('Content-Type: text/plain'), undefined);
  assert.equal(contentLengthOf('lx: 3'), undefined);
  assert.equal(contentLengthOf(''), undefined);
  assert.equal(isHeaderLike('Via : x'), true);
  assert.equal(isHeaderLike("~'`!%*_+.-: x"), true);
  assert.equal(isHeaderLike(' Via: x'), false);
  assert.equal(isHeaderLike('é: x'), false);
  assert.equal(isHeaderLike('2024-11-24T15:06:20 x'), false);
  assert.equal(isHeaderLike(''), false);
  assert.equal(isBlank(''), true);
  assert.equal(isBlank(' \t\u00a0'), true);
  assert.equal(isBlank('\u00a0x'), false);
  assert.equal(isSeparatorLine('  ----  '), true);
  assert.equal(isSeparatorLine('\u00a0===='), true);
  assert.equal(isSeparatorLine('a---'), false);
  assert.equal(isSeparatorLine('#'), true);
});

test('timestampOf matches Date.UTC, out-of-range fields included', () => {
  const cases: number[][] = [
    [2025, 3, 3, 9, 0, 0],
    [2025, 3, 3, 23, 59, 59],
    [2024, 2, 29, 12, 0, 0],
    [2024, 13, 1, 0, 0, 0],
    [2024, 1, 0, 99, 99, 99],
    [50, 1, 1, 0, 0, 0],
    [275760, 9, 13, 0, 0, 0],
    [275760, 9, 13, 0, 0, 1],
  ];
  for (const [y, mo, d, h, mi, s] of cases) {
    const ms = Date.UTC(y, mo - 1, d, h, mi, s);
    const ts = timestampOf(y, mo, d, h, mi, s, '5');
    assert.deepEqual(ts, { sec: Math.floor(ms / 1000), nsec: 500000000 }, `${y}-${mo}-${d} ${h}:${mi}:${s}`);
  }
  // The same date again after another one: the cached date must follow.
  assert.deepEqual(timestampOf(2025, 3, 3, 9, 0, 1), { sec: Date.UTC(2025, 2, 3, 9, 0, 1) / 1000, nsec: 0 });
});

test('every chunking of a log with LF, CRLF and CR breaks gives the same messages and line numbers', () => {
  const text =
    '----------------------------------------------- 2025-03-03 09:00:00.002322\n' +
    'UDP message sent (80 bytes):\n\n' +
    'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nl: 5\r\n\r\nHello\n' +
    '\r\r\n' +
    'SIP/2.0 200 OK\rVia: SIP/2.0/UDP h;branch=z9hG4bK1\rContent-Length: 0\r\r' +
    'x'.repeat(40) + '\n';
  const bytes = enc.encode(text);
  const whole = read(bytes, bytes.length);
  assert.equal(whole.messages.length, 2);
  assert.equal(whole.messages[0].text, 'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nl: 5\r\n\r\nHello');
  assert.deepEqual(whole.messages[0].lineMap.map((e) => e.line), [4, 5, 6, 7, 8]);
  assert.equal(whole.messages[1].line, 11);
  assert.equal(whole.messages[1].text, 'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n');
  for (let chunk = 1; chunk <= bytes.length; chunk++) {
    assert.deepEqual(read(bytes, chunk), whole, `chunk ${chunk}`);
  }
  // A cut line is reported once, whatever the chunking, and its first characters are kept.
  const cut = read(bytes, bytes.length, 30);
  assert.deepEqual(cut.problems.map((p) => [p.code, p.line]), [['log-line-too-long', 1], ['log-line-too-long', 5], ['log-line-too-long', 12], ['log-line-too-long', 15]]);
  for (const chunk of [1, 2, 7, 29, 30, 31]) assert.deepEqual(read(bytes, chunk, 30), cut, `cut chunk ${chunk}`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogReader } from '../../../src/core/logs/index';
import type { LogSipText } from '../../../src/core/logs/index';
import type { LineMapEntry, Problem } from '../../../src/core/types';
import { HANG_GUARD_MS } from '../../helpers/hangGuard';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/logs/handwritten');
const CORPUS = [path.resolve(process.cwd(), '../shared/corpus/public'), path.resolve(__dirname, '../../../../../shared/corpus/public')].find((p) =>
  fs.existsSync(p),
);

interface Result {
  messages: LogSipText[];
  problems: Problem[];
}

function read(bytes: Uint8Array, chunk = 0, opts?: ConstructorParameters<typeof LogReader>[1]): Result {
  const messages: LogSipText[] = [];
  const problems: Problem[] = [];
  const r = new LogReader({ message: (m) => messages.push(m), problem: (p) => problems.push(p) }, opts);
  if (chunk <= 0) r.push(bytes);
  else for (let i = 0; i < bytes.length; i += chunk) r.push(bytes.subarray(i, i + chunk));
  r.end();
  return { messages, problems };
}

const enc = new TextEncoder();
function readText(text: string, chunk = 0): Result {
  return read(enc.encode(text), chunk);
}

function fixture(name: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));
}

/** The message lines (the text split at the CRLF each line was given). */
function lines(m: LogSipText): string[] {
  const ls = m.text.split('\r\n');
  return m.text.endsWith('\r\n') ? ls.slice(0, -1) : ls;
}

/** Where the line of message `m` starting with `prefix` came from. */
function where(m: LogSipText, prefix: string): LineMapEntry {
  const i = lines(m).findIndex((l) => l.startsWith(prefix));
  assert.ok(i >= 0, `no line starting with ${prefix}`);
  return m.lineMap[i];
}

/** The log text at a line map entry (for checking that columns land on the right text). */
function logText(bytes: Uint8Array, e: LineMapEntry, length: number): string {
  const logLines = new TextDecoder().decode(bytes).split(/\r\n|\r|\n/);
  return logLines[e.line - 1].slice(e.column - 1, e.column - 1 + length);
}

function starts(r: Result): number[] {
  return r.messages.map((m) => m.line);
}

/** Every message line's text must be exactly the log's text at its line and column. */
function assertFaithful(bytes: Uint8Array, r: Result): void {
  for (const m of r.messages) {
    const ls = lines(m);
    assert.equal(ls.length, m.lineMap.length);
    m.lineMap.forEach((e, i) => {
      assert.equal(e.textOffset, i === ls.length - 1 ? m.text.length - (m.text.endsWith('\r\n') ? 2 : 0) - ls[i].length : m.text.indexOf(ls[i] + '\r\n', e.textOffset));
      if (m.format !== 'tshark' || i < ls.indexOf('')) assert.equal(logText(bytes, e, ls[i].length), ls[i], `line ${e.line}`);
    });
  }
}

// -------------------------------------------------------------------------------------------
// One hand-written (or tool-generated) snippet per dialect
// -------------------------------------------------------------------------------------------

test('plain .sip dump: blank lines and separator lines between messages, bodies by Content-Length', () => {
  const bytes = fixture('plain.sip');
  const r = read(bytes);
  assert.deepEqual(starts(r), [1, 11, 21, 33]);
  assert.deepEqual(
    r.messages.map((m) => m.format),
    ['plain', 'plain', 'plain', 'plain'],
  );
  assert.deepEqual(where(r.messages[0], 'Contact:'), { textOffset: r.messages[0].text.indexOf('Contact:'), line: 8, column: 1 });
  // MESSAGE with a 12-byte body: the body line is included, the "====" line after it is not.
  assert.equal(
    r.messages[2].text,
    'MESSAGE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKnashds8\r\nMax-Forwards: 70\r\n' +
      'To: <sip:bob@example.com>\r\nFrom: <sip:alice@example.com>;tag=49583\r\nCall-ID: asd88asd77a@192.0.2.10\r\nCSeq: 1 MESSAGE\r\n' +
      'Content-Type: text/plain\r\nContent-Length: 12\r\n\r\nHello world!',
  );
  // The last one has no Content-Length and a folded Contact; it runs to the end of the file.
  assert.deepEqual(lines(r.messages[3]).slice(-3), ['Contact: <sip:alice@192.0.2.10:5060>', ' ;expires=0', '']);
  assert.equal(where(r.messages[3], ' ;expires').line, 40);
  assert.equal(r.messages[3].ts, undefined);
  assert.deepEqual(r.problems, []);
  assertFaithful(bytes, r);
});

test('SIPp -trace_msg (SIPp 3.6.1 output): time from the dash line, transport from "UDP message sent"', () => {
  const bytes = fixture('sipp-trace-msg.log');
  const r = read(bytes);
  assert.deepEqual(starts(r), [4, 18, 31, 53]);
  assert.ok(r.messages.every((m) => m.format === 'sipp' && m.transport === 'UDP' && !m.src && !m.dst));
  // "----------------------------------------------- 2026-11-24 15:09:58.774083"
  assert.deepEqual(r.messages[0].ts, { sec: 1795532998, nsec: 774083000 });
  assert.deepEqual(r.messages[3].ts, { sec: 1795532998, nsec: 776080000 });
  assert.deepEqual(where(r.messages[0], 'Contact:'), { textOffset: r.messages[0].text.indexOf('Contact:'), line: 10, column: 1 });
  // INVITE: Content-Length 113 = the 7 SDP lines with CRLF; the empty line after them is not body.
  const inv = lines(r.messages[2]);
  assert.equal(inv[inv.length - 1], 'a=rtpmap:0 PCMU/8000');
  assert.equal(r.messages[2].lineMap[r.messages[2].lineMap.length - 1].line, 48);
  assertFaithful(bytes, r);
});

test('Kamailio: xlog("$mb") on stderr (Kamailio 5.6.3 output), the message written bare under the log line', () => {
  const bytes = fixture('kamailio-stderr-xlog.log');
  const r = read(bytes);
  assert.deepEqual(starts(r), [5, 17]);
  assert.deepEqual(
    r.messages.map((m) => m.format),
    ['kamailio', 'kamailio'],
  );
  assert.equal(where(r.messages[0], 'Contact:').line, 11);
  assert.equal(where(r.messages[0], 'Contact:').column, 1);
  assert.equal(where(r.messages[1], 'Contact:').line, 23);
  assert.equal(lines(r.messages[1]).at(-1), 'a=rtpmap:0 PCMU/8000');
  assertFaithful(bytes, r);
});

test('Kamailio sipdump module text file (Kamailio 5.6.3 output): time, addresses and transport from the record', () => {
  const bytes = fixture('kamailio-sipdump.data');
  const r = read(bytes);
  assert.deepEqual(starts(r), [13, 36, 58]);
  const [reg, ok] = r.messages;
  assert.equal(reg.format, 'kamailio');
  assert.deepEqual(reg.ts, { sec: 1795532998, nsec: 774552000 });
  assert.deepEqual(reg.src, { ip: '127.0.0.1', port: 5091 });
  assert.deepEqual(reg.dst, { ip: '127.0.0.1', port: 5070 });
  assert.equal(reg.transport, 'UDP');
  assert.deepEqual(ok.src, { ip: '127.0.0.1', port: 5070 });
  assert.deepEqual(where(reg, 'Contact:'), { textOffset: reg.text.indexOf('Contact:'), line: 19, column: 1 });
  assert.equal(where(r.messages[2], 'Contact:').line, 64);
  assertFaithful(bytes, r);
});

test('Kamailio under journald: the syslog prefix on every line is stripped', () => {
  const bytes = fixture('kamailio-journal.log');
  const r = read(bytes);
  assert.deepEqual(starts(r), [3]);
  const m = r.messages[0];
  assert.equal(m.format, 'kamailio');
  // "Nov 24 15:06:20 sip1 kamailio[9273]: " is 37 characters; no year in syslog: 1970 stands in.
  assert.deepEqual(where(m, 'Contact:'), { textOffset: m.text.indexOf('Contact:'), line: 9, column: 38 });
  assert.deepEqual(m.ts, { sec: 28307180, nsec: 0 });
  assert.equal(lines(m).length, 10);
  assert.equal(lines(m)[9], '');
  assert.equal(m.lineMap[9].line, 12);
  assertFaithful(bytes, r);
});

test('OpenSIPS via rsyslog: a whole message on one line with "#015#012" escapes', () => {
  const bytes = fixture('opensips-syslog.log');
  const r = read(bytes);
  assert.deepEqual(starts(r), [3]); // line 2 has "#015#012" but no start line before it
  const m = r.messages[0];
  assert.equal(m.format, 'opensips');
  assert.ok(m.lineMap.every((e) => e.line === 3));
  assert.deepEqual(where(m, 'Contact:'), { textOffset: m.text.indexOf('Contact:'), line: 3, column: 333 });
  assert.deepEqual(where(m, 'REGISTER'), { textOffset: 0, line: 3, column: 62 });
  assert.deepEqual(m.ts, { sec: 15056287, nsec: 0 });
  assert.equal(lines(m).at(-1), '');
  assertFaithful(bytes, r);
});

test('Asterisk pjsip logger in the full log: VERBOSE prefix on the marker, message bare, IPv6 peer', () => {
  const bytes = fixture('asterisk-pjsip-full.log');
  const r = read(bytes);
  assert.deepEqual(starts(r), [3, 18, 30]);
  const [reg, chal, opt] = r.messages;
  assert.ok(r.messages.every((m) => m.format === 'asterisk-pjsip' && m.transport === 'UDP'));
  assert.deepEqual(reg.src, { ip: '192.0.2.10', port: 5060 });
  assert.equal(reg.dst, undefined);
  assert.deepEqual(reg.ts, { sec: 1732460780, nsec: 138000000 });
  assert.deepEqual(chal.dst, { ip: '192.0.2.10', port: 5060 });
  assert.deepEqual(opt.src, { ip: '2001:db8::10', port: 5060 });
  assert.deepEqual(where(reg, 'Contact:'), { textOffset: reg.text.indexOf('Contact:'), line: 10, column: 1 });
  assert.equal(lines(reg).length, 12); // ends at the empty line (Content-Length: 0)
  assertFaithful(bytes, r);
});

test('Asterisk chan_sip debug on the console: "[Nov 24 15:06:20] " on every line, keep-alive skipped', () => {
  const bytes = fixture('asterisk-chan-sip-console.log');
  const r = read(bytes);
  assert.deepEqual(starts(r), [7, 25]);
  const [reg, chal] = r.messages;
  assert.equal(reg.format, 'asterisk-chan-sip');
  assert.deepEqual(reg.src, { ip: '192.0.2.10', port: 5064 });
  assert.equal(reg.transport, 'UDP');
  assert.deepEqual(chal.dst, { ip: '192.0.2.10', port: 5064 });
  assert.equal(chal.transport, undefined); // "Transmitting (no NAT) to" does not say
  assert.deepEqual(where(reg, 'Contact:'), { textOffset: reg.text.indexOf('Contact:'), line: 13, column: 19 });
  assert.deepEqual(reg.ts, { sec: 28307180, nsec: 0 });
  assert.equal(lines(chal).at(-1), '');
  assertFaithful(bytes, r);
});

test('FreeSWITCH / sofia-sip siptrace: indented lines between separators, date from the log', () => {
  const bytes = fixture('freeswitch-sofia-siptrace.log');
  const r = read(bytes);
  assert.deepEqual(starts(r), [4, 18]);
  const [reg, chal] = r.messages;
  assert.equal(reg.format, 'freeswitch');
  assert.deepEqual(reg.src, { ip: '192.0.2.10', port: 5060 });
  assert.deepEqual(chal.dst, { ip: '192.0.2.10', port: 5060 });
  // "at 15:06:20.138154" on the date of the log line before it (2024-11-24).
  assert.deepEqual(reg.ts, { sec: 1732460780, nsec: 138154000 });
  assert.deepEqual(where(reg, 'Contact:'), { textOffset: reg.text.indexOf('Contact:'), line: 11, column: 4 });
  // The "   " line is the empty line; the closing separator is not part of the message.
  assert.deepEqual(reg.lineMap.at(-1), { textOffset: reg.text.length - 2, line: 14, column: 4 });
  assert.equal(lines(reg).at(-1), '');
  assertFaithful(bytes, r);
});

test('tshark -V (TShark 4.0.17 output): message rebuilt from the tree, SDP body, frame details', () => {
  const bytes = fixture('tshark-V.txt');
  const r = read(bytes);
  assert.deepEqual(starts(r), [56, 146]);
  const [reg, inv] = r.messages;
  assert.equal(reg.format, 'tshark');
  assert.deepEqual(reg.ts, { sec: 1795532998, nsec: 774057000 });
  assert.deepEqual(reg.src, { ip: '127.0.0.1', port: 5091 });
  assert.deepEqual(reg.dst, { ip: '127.0.0.1', port: 5070 });
  assert.equal(reg.transport, 'UDP');
  assert.deepEqual(where(reg, 'REGISTER'), { textOffset: 0, line: 56, column: 19 });
  assert.deepEqual(where(reg, 'Contact:'), { textOffset: reg.text.indexOf('Contact:'), line: 81, column: 9 });
  assert.equal(
    reg.text,
    'REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5091;branch=z9hG4bK-14758-1-0\r\n' +
      'From: <sip:alice@example.com>;tag=14758SIPpTag001\r\nTo: <sip:alice@example.com>\r\nCall-ID: 1-14758@127.0.0.1\r\n' +
      'CSeq: 1 REGISTER\r\nContact: <sip:alice@127.0.0.1:5091>;+g.oma.sip-im;expires=3600\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n',
  );
  // SDP: "Session Description Protocol Version (v): 0" becomes "v=0"; the 7 lines are 113 bytes
  // with CRLF, as the header says.
  const sdp = lines(inv).slice(lines(inv).indexOf('') + 1);
  assert.deepEqual(sdp, ['v=0', 'o=alice 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 4000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000']);
  assert.equal(sdp.reduce((n, l) => n + l.length + 2, 0), 113);
  const v = where(inv, 'v=0');
  assert.equal(v.line, 182);
  assert.equal(logText(bytes, v, 3), ': 0'); // "v=" sits on the ": " before the value
  assert.deepEqual(r.problems, []);
  assertFaithful(bytes, r);
});

test('tshark -O sip: no epoch time, addresses from the summary lines', () => {
  const bytes = fixture('tshark-O-sip.txt');
  const r = read(bytes);
  assert.deepEqual(starts(r), [6, 46]);
  assert.equal(r.messages[0].ts, undefined);
  assert.deepEqual(r.messages[1].src, { ip: '127.0.0.1', port: 5070 });
  assert.deepEqual(where(r.messages[0], 'Contact:'), { textOffset: r.messages[0].text.indexOf('Contact:'), line: 31, column: 9 });
  assert.deepEqual(where(r.messages[1], 'SIP/2.0 200 OK'), { textOffset: 0, line: 46, column: 18 });
  assertFaithful(bytes, r);
});

test('sngrep "save as .txt": date, time, src -> dst, then the message with its CRLFs', () => {
  const bytes = fixture('sngrep-export.txt');
  const r = read(bytes);
  assert.deepEqual(starts(r), [2, 15, 27]);
  const [reg, ok, opt] = r.messages;
  assert.equal(reg.format, 'sngrep');
  assert.deepEqual(reg.ts, { sec: 1795532998, nsec: 774083000 });
  assert.deepEqual(reg.src, { ip: '192.0.2.10', port: 5091 });
  assert.deepEqual(reg.dst, { ip: '192.0.2.1', port: 5070 });
  assert.deepEqual(ok.src, { ip: '192.0.2.1', port: 5070 });
  // sngrep writes IPv6 without brackets: the last field is the port.
  assert.deepEqual(opt.src, { ip: '2001:db8::10', port: 5060 });
  assert.deepEqual(opt.dst, { ip: '2001:db8::1', port: 5060 });
  assert.deepEqual(where(reg, 'Contact:'), { textOffset: reg.text.indexOf('Contact:'), line: 8, column: 1 });
  assertFaithful(bytes, r);
});

test('baresip SIP trace (baresip 1.0.0 output): colour codes around the record, direction line', () => {
  const bytes = fixture('baresip-sip-trace.log');
  const r = read(bytes);
  assert.deepEqual(starts(r), [10, 31]);
  const [reg, ok] = r.messages;
  assert.equal(reg.format, 'baresip');
  assert.equal(reg.transport, 'UDP');
  assert.deepEqual(reg.src, { ip: '127.0.0.1', port: 5095 });
  assert.deepEqual(reg.dst, { ip: '127.0.0.1', port: 5070 });
  assert.deepEqual(ok.src, { ip: '127.0.0.1', port: 5070 });
  assert.deepEqual(where(reg, 'Contact:'), { textOffset: reg.text.indexOf('Contact:'), line: 12, column: 1 });
  assert.equal(lines(ok).length, 9);
  assertFaithful(bytes, r);
});

test('liblinphone / belle-sip: "message sent to [UDP://...]" and "received [N] new bytes from"', () => {
  const bytes = fixture('linphone-desktop.log');
  const r = read(bytes);
  assert.deepEqual(starts(r), [3, 18]);
  const [reg, chal] = r.messages;
  assert.equal(reg.format, 'linphone');
  assert.deepEqual(reg.dst, { ip: '192.0.2.1', port: 5060 });
  assert.deepEqual(chal.src, { ip: '192.0.2.1', port: 5060 });
  assert.equal(reg.transport, 'UDP');
  // "2024-11-24 15:06:20:131": liblinphone writes the milliseconds after a colon.
  assert.deepEqual(reg.ts, { sec: 1732460780, nsec: 131000000 });
  assert.deepEqual(where(reg, 'Contact:'), { textOffset: reg.text.indexOf('Contact:'), line: 12, column: 1 });
  assertFaithful(bytes, r);
});

test('liblinphone on Android logcat: continuation lines indented under the message column', () => {
  const bytes = fixture('linphone-logcat.log');
  const r = read(bytes);
  assert.deepEqual(starts(r), [2]);
  const m = r.messages[0];
  assert.equal(m.format, 'linphone');
  assert.deepEqual(m.src, { ip: '2001:db8::1', port: 5060 });
  assert.deepEqual(m.ts, { sec: 1703085897, nsec: 639000000 });
  assert.deepEqual(where(m, 'Contact:'), { textOffset: m.text.indexOf('Contact:'), line: 8, column: 101 });
  assert.deepEqual(where(m, 'SIP/2.0 200 OK'), { textOffset: 0, line: 2, column: 101 });
  assert.equal(lines(m).length, 9);
  assertFaithful(bytes, r);
});

test('Acme Packet sipmsg.log: "On <local> received from / sent to <peer>", non-SIP records skipped', () => {
  const bytes = fixture('acme-sipmsg.log');
  const r = read(bytes);
  assert.deepEqual(starts(r), [4, 18]);
  const [reg, ok] = r.messages;
  assert.equal(reg.format, 'wireshark-sipmsg');
  assert.deepEqual(reg.src, { ip: '192.0.2.10', port: 5060 });
  assert.deepEqual(reg.dst, { ip: '192.0.2.1', port: 5060 });
  assert.deepEqual(ok.src, { ip: '192.0.2.1', port: 5060 });
  assert.deepEqual(ok.dst, { ip: '192.0.2.10', port: 5060 });
  assert.deepEqual(reg.ts, { sec: 28307180, nsec: 138000000 });
  assert.deepEqual(where(reg, 'Contact:'), { textOffset: reg.text.indexOf('Contact:'), line: 11, column: 1 });
  // "Content-Length: 0" comes before "Expires: 3600": the header section ends at the empty line.
  assert.equal(lines(reg).at(-2), 'Expires: 3600');
  assert.deepEqual(r.problems, []);
  assertFaithful(bytes, r);
});

test('generic: an unknown log with the same prefix on every message line', () => {
  const bytes = fixture('generic-prefixed.log');
  const r = read(bytes);
  // Line 1 has an INVITE start line but no header follows it: not a message.
  assert.deepEqual(starts(r), [3]);
  const m = r.messages[0];
  assert.equal(m.format, 'generic');
  assert.deepEqual(m.ts, { sec: 1732460780, nsec: 138000000 });
  assert.deepEqual(where(m, 'Contact:'), { textOffset: m.text.indexOf('Contact:'), line: 9, column: 52 });
  assert.equal(lines(m).length, 9);
  assertFaithful(bytes, r);
});

// -------------------------------------------------------------------------------------------
// Third-party logs (skipped when the corpus is absent)
// -------------------------------------------------------------------------------------------

const CORPUS_COUNTS: Array<[string, number, string[], string]> = [
  // `grep -c -E '<--- (Received|Transmitting) SIP' debug.md` = 13, each followed by a message.
  ['logs/asterisk-altanai/debug.md', 13, ['asterisk-pjsip'], 'pjsip logger markers'],
  // `grep -c -E '^(recv|send) [0-9]+ bytes'` = 20; `grep -A2` shows a SIP start line after each.
  ['logs/freeswitch-altanai/5_party_webrtc_MCU.txt', 20, ['freeswitch'], 'sofia recv/send stamps'],
  // Same grep: 3 (INVITE, 422, ACK).
  ['logs/freeswitch-altanai/session_interval_too_small.txt', 3, ['freeswitch'], 'sofia recv/send stamps'],
  // One: the SIPp scenario's REGISTER (a 6-space indented start line and header lines); the
  // Kamailio DEBUG log shows the REGISTER only as a one-line "[[REGISTER ... 0D 0A ...]]" dump.
  ['logs/kamailio-altanai/REGISTER_handle_README.md', 1, ['generic'], 'indented SIPp template'],
  // `grep -c -E ' On .* (received from|sent to) '` = 6 records; the one to port 2944 is a MEGACO
  // hex dump, so 5 SIP messages (REGISTER, 200, INVITE, 100, 181).
  ['logs/wireshark/sipmsg.log', 5, ['wireshark-sipmsg'], 'Acme On ... received from / sent to'],
];

for (const [rel, count, formats, how] of CORPUS_COUNTS) {
  test(`corpus ${rel}: ${count} messages (${how})`, (t) => {
    const file = CORPUS && path.join(CORPUS, rel);
    if (!file || !fs.existsSync(file)) {
      t.skip(`corpus absent: ${rel}`);
      return;
    }
    const bytes = new Uint8Array(fs.readFileSync(file));
    const r = read(bytes);
    assert.equal(r.messages.length, count);
    assert.deepEqual([...new Set(r.messages.map((m) => m.format))], formats);
    assertFaithful(bytes, r);
  });
}

test('corpus details: FreeSWITCH INVITE body ends exactly at Content-Length, before the next log line', (t) => {
  const file = CORPUS && path.join(CORPUS, 'logs/freeswitch-altanai/5_party_webrtc_MCU.txt');
  if (!file || !fs.existsSync(file)) {
    t.skip('corpus absent: logs/freeswitch-altanai');
    return;
  }
  const r = read(new Uint8Array(fs.readFileSync(file)));
  const inv = r.messages[0];
  assert.equal(inv.line, 13);
  assert.equal(inv.lineMap.at(-1)?.line, 182); // line 183 is "2022-02-02 19:17:07.900650 [NOTICE] ..."
  const ls = lines(inv);
  const body = ls.slice(ls.indexOf('') + 1);
  assert.equal(body.reduce((n, l) => n + l.length + 2, 0), 5792); // "Content-Length: 5792"
  assert.deepEqual(inv.src, { ip: '10.176.2.43', port: 56630 });
  assert.equal(inv.transport, 'WSS');
  assert.deepEqual(inv.ts, { sec: 1643829427, nsec: 918818000 }); // 2022-02-02 19:17:07.918818
  const regs = r.messages.filter((m) => m.text.startsWith('REGISTER '));
  assert.equal(regs.length, 8);
});

// -------------------------------------------------------------------------------------------
// Streaming and bounds
// -------------------------------------------------------------------------------------------

test('streaming: every fixture and corpus log gives the same result whole and in 1-byte chunks', () => {
  const files = fs.readdirSync(FIXTURES).map((n) => path.join(FIXTURES, n));
  if (CORPUS) for (const [rel] of CORPUS_COUNTS) if (fs.existsSync(path.join(CORPUS, rel))) files.push(path.join(CORPUS, rel));
  for (const f of files) {
    const bytes = new Uint8Array(fs.readFileSync(f));
    assert.deepEqual(read(bytes, 1), read(bytes), f);
    assert.deepEqual(read(bytes, 7), read(bytes), f);
  }
});

test('line endings: LF, CRLF and CR give the same messages and positions', () => {
  const body = 'REGISTER sip:example.com SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1\nContact: <sip:a@192.0.2.10>\nContent-Length: 0\n\n';
  const lf = readText(body);
  assert.equal(lf.messages.length, 1);
  assert.deepEqual(readText(body.replace(/\n/g, '\r\n')), lf);
  assert.deepEqual(readText(body.replace(/\n/g, '\r')), lf);
  assert.deepEqual(readText(body.replace(/\n/g, '\r'), 1), lf); // a CR at the end of every chunk
  assert.deepEqual(readText(body.replace(/\n/g, '\r\n'), 1), lf);
});

test('columns are UTF-16 code units; Content-Length counts UTF-8 bytes; multi-byte characters split across chunks', () => {
  const prefix = '2024-11-24 10:00:00 [Zoë 😀] '; // 'ë' is 1 unit, '😀' is 2 units
  const text =
    [
      'REGISTER sip:example.com SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1',
      'From: "Zoë" <sip:zoe@example.com>;tag=1',
      'Contact: <sip:zoe@192.0.2.10>',
      'Content-Type: text/plain',
      'Content-Length: 8',
      '',
      'héllo',
    ]
      .map((l) => prefix + l)
      .join('\n') + '\n' + prefix + 'next record\n';
  const whole = readText(text);
  assert.deepEqual(readText(text, 1), whole);
  const m = whole.messages[0];
  assert.equal(where(m, 'Contact:').column, prefix.length + 1);
  assert.equal(prefix.length, 29);
  // "héllo" is 6 bytes + CRLF = 8 = Content-Length: the body is that one line.
  assert.deepEqual(lines(m).slice(-2), ['', 'héllo']);
});

test('a 20 MB single line is cut and reported, and the message after it is still found', () => {
  const big = new Uint8Array(20 * 1024 * 1024).fill(0x61);
  const tail = enc.encode('\nREGISTER sip:example.com SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1\nContent-Length: 0\n\n');
  const started = Date.now();
  const messages: LogSipText[] = [];
  const problems: Problem[] = [];
  const r = new LogReader({ message: (m) => messages.push(m), problem: (p) => problems.push(p) });
  for (let i = 0; i < big.length; i += 65536) r.push(big.subarray(i, i + 65536));
  r.push(tail);
  r.end();
  assert.ok(Date.now() - started < HANG_GUARD_MS, `took ${Date.now() - started} ms`);
  assert.deepEqual(
    problems.map((p) => [p.code, p.line, p.column]),
    [['log-line-too-long', 1, 1024 * 1024 + 1]],
  );
  assert.deepEqual(
    messages.map((m) => m.line),
    [2],
  );
});

test('5 MB of random bytes: binary data reported (one problem per run of lines), no message, no throw', () => {
  let seed = 12345;
  const bytes = new Uint8Array(5 * 1024 * 1024);
  for (let i = 0; i < bytes.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    bytes[i] = seed >>> 24;
  }
  const started = Date.now();
  const r = read(bytes, 65536);
  assert.ok(Date.now() - started < HANG_GUARD_MS, `took ${Date.now() - started} ms`);
  assert.equal(r.messages.length, 0);
  assert.ok(r.problems.length >= 1 && r.problems.length < 100, `${r.problems.length} problems`);
  assert.ok(r.problems.every((p) => p.code === 'log-binary-data' && typeof p.line === 'number'));
  assert.equal(r.problems[0].line, 1);
});

test('a message larger than maxMessageBytes is reported and cut', () => {
  const body = 'x'.repeat(100);
  const text = ['MESSAGE sip:b@example.com SIP/2.0', 'Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1', 'Content-Type: text/plain', 'Content-Length: 2040', '']
    .concat(Array.from({ length: 20 }, () => body))
    .join('\n');
  const r = read(enc.encode(text + '\n'), 0, { maxMessageBytes: 512 });
  assert.equal(r.messages.length, 1);
  assert.ok(r.messages[0].text.length <= 512);
  assert.deepEqual(
    r.problems.map((p) => [p.code, p.line]),
    [['log-message-too-large', 9]],
  );
});

test('odd input never throws: empty, only separators, marker at end of file, push after end', () => {
  assert.deepEqual(readText(''), { messages: [], problems: [] });
  assert.deepEqual(readText('----\n====\n#\n'), { messages: [], problems: [] });
  assert.deepEqual(readText('recv 12 bytes from udp/[192.0.2.1]:5060 at 10:00:00.000000:\n'), { messages: [], problems: [] });
  const messages: LogSipText[] = [];
  const r = new LogReader({ message: (m) => messages.push(m), problem: () => undefined });
  r.end();
  r.push(enc.encode('REGISTER sip:a SIP/2.0\nVia: x\n\n'));
  r.end();
  assert.equal(messages.length, 0);
});

test('a start line alone, or followed by a non-header line, is not a message; a marker makes it one', () => {
  assert.equal(readText('INVITE sip:bob@example.com SIP/2.0\nhello\n').messages.length, 0);
  assert.equal(readText('log: got INVITE sip:bob@example.com SIP/2.0\n\n').messages.length, 0);
  const r = readText('<--- SIP read from UDP:192.0.2.1:5060 --->\nOPTIONS sip:a@b SIP/2.0\n<------------->\n');
  assert.equal(r.messages.length, 1);
  assert.equal(r.messages[0].text, 'OPTIONS sip:a@b SIP/2.0\r\n');
});

test('chan_sip without a stamp, and FreeSWITCH without indent: ends at the closing line or the next log record', () => {
  const chan = [
    '<--- SIP read from UDP:54.172.60.1:5060 --->',
    'BYE sip:bob@192.0.2.1 SIP/2.0',
    'Call-ID: 3ca63b4114c4730415f57b1b217d040e@35.197.101.20:5060',
    '',
    '<------------->',
    '--- (14 headers 0 lines) ---',
  ].join('\n');
  const c = readText(chan);
  assert.equal(c.messages.length, 1);
  assert.equal(c.messages[0].format, 'asterisk-chan-sip');
  assert.deepEqual(lines(c.messages[0]), ['BYE sip:bob@192.0.2.1 SIP/2.0', 'Call-ID: 3ca63b4114c4730415f57b1b217d040e@35.197.101.20:5060', '']);
  // No Content-Length: the body runs to the next log record, blank lines before it dropped.
  const fsw = [
    'recv 200 bytes from tcp/[2001:db8::5]:5061 at 10:00:00.000001:',
    '------------------------------------------------------------------------',
    'NOTIFY sip:a@b SIP/2.0',
    'Event: message-summary',
    '',
    'Messages-Waiting: no',
    '',
    '2022-02-02 19:17:08.220583 [DEBUG] sofia.c:7325 next record',
  ].join('\n');
  const f = readText(fsw);
  assert.equal(f.messages.length, 1);
  assert.deepEqual(lines(f.messages[0]), ['NOTIFY sip:a@b SIP/2.0', 'Event: message-summary', '', 'Messages-Waiting: no']);
  assert.deepEqual(f.messages[0].src, { ip: '2001:db8::5', port: 5061 });
  assert.equal(f.messages[0].transport, 'TCP');
});

test('tshark: a body shown only as a tree is left out and reported', () => {
  const text = [
    'Frame 7: 600 bytes on wire (4800 bits), 600 bytes captured (4800 bits)',
    'Internet Protocol Version 6, Src: 2001:db8::10, Dst: 2001:db8::1',
    'Transmission Control Protocol, Src Port: 50000, Dst Port: 5060, Seq: 1, Ack: 1, Len: 540',
    'Session Initiation Protocol (PUBLISH)',
    '    Request-Line: PUBLISH sip:alice@example.com SIP/2.0',
    '        Method: PUBLISH',
    '    Message Header',
    '        Content-Type: application/pidf+xml',
    '        Content-Length: 499',
    '    Message Body',
    '        eXtensible Markup Language',
    '            <?xml',
    '',
  ].join('\n');
  const r = readText(text);
  assert.equal(r.messages.length, 1);
  assert.deepEqual(lines(r.messages[0]), ['PUBLISH sip:alice@example.com SIP/2.0', 'Content-Type: application/pidf+xml', 'Content-Length: 499', '']);
  assert.deepEqual(r.messages[0].src, { ip: '2001:db8::10', port: 50000 });
  assert.equal(r.messages[0].transport, 'TCP');
  assert.deepEqual(
    r.problems.map((p) => [p.code, p.severity, p.line]),
    [['log-tshark-body-omitted', 'info', 11]],
  );
});

test('two messages in one read (TCP): the second keeps the marker\'s dialect, addresses and time', () => {
  const text = [
    'recv 420 bytes from tcp/[192.0.2.10]:5060 at 10:00:00.000001:',
    '------------------------------------------------------------------------',
    'SIP/2.0 100 Trying',
    'CSeq: 1 INVITE',
    'Content-Length: 0',
    '',
    'SIP/2.0 180 Ringing',
    'CSeq: 1 INVITE',
    'Content-Length: 0',
    '',
    '2022-02-02 10:00:00.000100 [DEBUG] sofia.c:7325 next record',
  ].join('\n');
  const r = readText(text);
  assert.deepEqual(starts(r), [3, 7]);
  assert.deepEqual(r.messages[1].format, 'freeswitch');
  assert.deepEqual(r.messages[1].src, { ip: '192.0.2.10', port: 5060 });
  assert.deepEqual(r.messages[1].ts, r.messages[0].ts);
  assert.equal(r.messages[1].transport, 'TCP');
});

test('old chan_sip "Reliably Transmitting (no NAT) to X:" names the dialect of the message under it', () => {
  const r = readText(
    'Reliably Transmitting (no NAT) to 10.24.18.138:5060:\nNOTIFY sip:6002@10.24.18.138:5060;ob SIP/2.0\nVia: SIP/2.0/UDP 10.24.18.124:5060;branch=z9hG4bK68008251;rport\n\n',
  );
  assert.deepEqual(
    r.messages.map((m) => [m.line, m.format]),
    [[2, 'asterisk-chan-sip']],
  );
});

test('tshark: a "Line-based text data" body is rebuilt, ending where Content-Length says', () => {
  const text = [
    'Frame 289: 640 bytes on wire (5120 bits), 640 bytes captured (5120 bits)',
    'Internet Protocol Version 4, Src: 192.168.57.101, Dst: 199.7.173.103',
    'User Datagram Protocol, Src Port: 36813, Dst Port: 5060',
    'Session Initiation Protocol (MESSAGE)',
    '    Request-Line: MESSAGE sip:thetestcall@getonsip.com SIP/2.0',
    '    Message Header',
    '        CSeq: 1260604670 MESSAGE',
    '            Sequence Number: 1260604670',
    '        Content-Length: 5',
    '        Content-Type: text/plain',
    '    Message Body',
    '        Line-based text data: text/plain (1 lines)',
    '            hello',
    '',
  ].join('\n');
  const r = readText(text);
  assert.equal(r.messages.length, 1);
  assert.equal(
    r.messages[0].text,
    'MESSAGE sip:thetestcall@getonsip.com SIP/2.0\r\nCSeq: 1260604670 MESSAGE\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello',
  );
  assert.deepEqual(r.messages[0].lineMap.at(-1), { textOffset: r.messages[0].text.length - 5, line: 13, column: 13 });
  assert.deepEqual(r.problems, []);
});

/**
 * Ladder model and SVG: lanes per endpoint with agent names, labels, time deltas, findings and
 * retransmissions on their rows; every piece of trace text escaped (hostile User-Agent, Call-ID,
 * Contact, method, reason); windowed drawing of a 1000-message flow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding, TraceMessage } from '../../../src/core/types';
import { parseSipMessage } from '../../../src/core/sip/parser';
import { readTraceBytes } from '../../../src/core/trace';
import { RegisterChecker } from '../../../src/core/register/index';
import { resolveSettings } from '../../../src/core/settings';
import { SVG_ATTRIBUTES, SVG_TAGS, buildLadder, escapeXml, formatDelta, ladderBody, ladderHeader, ladderSvg, renderSvg, visibleWindow } from '../../../src/core/ladder/index';
import { fixturesRoot } from '../../helpers/paths';

const HOSTILE = [`<img src=x onerror=alert(1)>`, `</script><script>alert(2)</script>`, `javascript:alert(3)`, `"' onload="x`, `&amp;`, `\u0000\u0008\ud800`];

function msg(index: number, text: string, opts: Partial<TraceMessage> = {}): TraceMessage {
  return { index, frame: index + 1, transport: 'UDP', sip: parseSipMessage(text.replace(/\r?\n/g, '\r\n')), ...opts };
}

const client = { ip: '192.0.2.10', port: 5060 };
const server = { ip: '198.51.100.1', port: 5060 };

function register(index: number, cseq: number, ua: string, callId: string, contact: string, sec: number, branch = `z9hG4bK${cseq}`): TraceMessage {
  return msg(
    index,
    `REGISTER sip:ims.example.net SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=${branch}
From: <sip:alice@ims.example.net>;tag=1
To: <sip:alice@ims.example.net>
Call-ID: ${callId}
CSeq: ${cseq} REGISTER
Contact: ${contact}
Expires: 3600
User-Agent: ${ua}
Content-Length: 0

`,
    { src: client, dst: server, ts: { sec: 1700000000 + sec, nsec: 0 } },
  );
}

function response(index: number, cseq: number, status: string, server_: string, callId: string, sec: number, nsec = 0, branch = `z9hG4bK${cseq}`): TraceMessage {
  return msg(
    index,
    `SIP/2.0 ${status}
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=${branch}
From: <sip:alice@ims.example.net>;tag=1
To: <sip:alice@ims.example.net>;tag=2
Call-ID: ${callId}
CSeq: ${cseq} REGISTER
Server: ${server_}
Content-Length: 0

`,
    { src: server, dst: client, ts: { sec: 1700000000 + sec, nsec } },
  );
}

/** Every tag and attribute in the markup is one the renderer allows; no event handler, no script, no URL. */
function assertSafeSvg(svg: string): void {
  const tags = new Set<string>([...SVG_TAGS, 'style']);
  for (const m of svg.matchAll(/<\/?([A-Za-z][\w:-]*)([^>]*)>/g)) {
    assert.ok(tags.has(m[1]), `unexpected element <${m[1]}>`);
    for (const a of m[2].matchAll(/\s([^\s=]+)="([^"]*)"/g)) {
      assert.ok(SVG_ATTRIBUTES.has(a[1]) || a[1] === 'transform', `unexpected attribute ${a[1]}`);
      assert.doesNotMatch(a[2], /javascript:|</i, `attribute ${a[1]} value`);
    }
  }
  // Markup only from the allowed tags: the hostile text survives only as escaped text.
  assert.doesNotMatch(svg, /<img|<script|<\/script/i);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(svg, /[\u0000-\u0008]/);
}

test('lanes per endpoint with agents, labels, deltas and CSeq details', () => {
  const messages = [register(0, 1, 'IM-client/OMA1.0 ExampleIM/2.3.1', 'c1', '<sip:alice@192.0.2.10>', 0), response(1, 1, '401 Unauthorized', 'Registrar/5.6', 'c1', 0, 12_500_000), register(2, 2, 'IM-client/OMA1.0 ExampleIM/2.3.1', 'c1', '<sip:alice@192.0.2.10>', 2), response(3, 2, '200 OK', 'Registrar/5.6', 'c1', 62)];
  const m = buildLadder(messages);
  assert.deepEqual(m.lanes, [
    { address: '192.0.2.10:5060', agent: 'IM-client/OMA1.0 ExampleIM/2.3.1' },
    { address: '198.51.100.1:5060', agent: 'Registrar/5.6' },
  ]);
  assert.deepEqual(m.rows.map((r) => [r.label, r.from, r.to, r.delta, r.detail]), [
    ['REGISTER', 0, 1, undefined, 'CSeq 1 REGISTER · Expires 3600'],
    ['401 Unauthorized', 1, 0, '+12.5 ms', 'CSeq 1 REGISTER'],
    ['REGISTER', 0, 1, '+1.987 s', 'CSeq 2 REGISTER · Expires 3600'],
    ['200 OK', 1, 0, '+1 min 0 s', 'CSeq 2 REGISTER'],
  ]);
  assert.equal(m.rows[0].time, '22:13:20.000');
  assert.deepEqual([formatDelta(0.00085), formatDelta(3000), formatDelta(7200)], ['+850 µs', '+50 min 0 s', '+2 h 0 min']);
});

test('findings are marked on their arrows, retransmissions shown as such', () => {
  const messages = [register(0, 1, 'UA/1', 'c1', '<sip:a@192.0.2.10>', 0), register(1, 1, 'UA/1', 'c1', '<sip:a@192.0.2.10>', 0.5), response(2, 1, '200 OK', 'S/1', 'c1', 1), response(3, 1, '200 OK', 'S/1', 'c1', 1.5)];
  const findings: Finding[] = [
    { ruleId: 'OMA-IM-REG-001', severity: 'error', message: 'no +g.oma.sip-im', messageIndex: 0, span: { start: 0, end: 1 } },
    { ruleId: 'OMA-IM-REG-009', severity: 'warning', message: 'x', messageIndex: 0, span: { start: 0, end: 1 } },
  ];
  const m = buildLadder(messages, { findings });
  assert.deepEqual(m.rows.map((r) => [r.retransmission, r.worst, r.findings.length]), [[false, 'error', 2], [true, undefined, 0], [false, undefined, 0], [true, undefined, 0]]);
  const svg = renderSvg(ladderBody(m));
  assert.match(svg, /<g class="ladder-row request finding-error" data-message-index="0"/);
  assert.match(svg, /<circle cx="[\d.]+" cy="[\d.]+" r="7" class="ladder-finding error"><\/circle><text [^>]*class="ladder-finding-count"[^>]*>2<\/text>/);
  assert.match(svg, /<title>REGISTER · CSeq 1 REGISTER · Expires 3600 · frame 1\nerror: OMA-IM-REG-001 no \+g\.oma\.sip-im\nwarning: OMA-IM-REG-009 x<\/title>/);
  assert.match(svg, /class="ladder-row request retransmission" data-message-index="1"/);
  assert.match(svg, />REGISTER \(retransmission\)</);
  assert.match(svg, /class="ladder-row response retransmission" data-message-index="3"/);
});

test('hostile trace text is escaped everywhere (User-Agent, Server, Call-ID, Contact, reason, addresses from logs)', () => {
  const messages: TraceMessage[] = [];
  HOSTILE.forEach((h, i) => {
    messages.push(register(2 * i, i + 1, `UA ${h}`, `cid${h}`, `<sip:${h}@x>`, i));
    messages.push(response(2 * i + 1, i + 1, `200 ${h}`, `Srv ${h}`, `cid${h}`, i + 0.1));
  });
  // Log messages without addresses: lanes come from Via / Request-URI text.
  messages.push(msg(messages.length, `REGISTER sip:<img/src=x>:5060 SIP/2.0\nVia: SIP/2.0/UDP javascript:alert(1);branch=z9hG4bKq\nCall-ID: x\nCSeq: 1 REGISTER\nContent-Length: 0\n\n`));
  const findings: Finding[] = [{ ruleId: '<b>x</b>', severity: 'error', message: '</title><script>alert(4)</script>', messageIndex: 0, span: { start: 0, end: 1 } }];
  const m = buildLadder(messages, { findings });
  const svg = ladderSvg(m);
  assertSafeSvg(svg);
  assertSafeSvg(renderSvg(ladderHeader(m)));
  assert.match(svg, /Srv &lt;img src=x onerror=alert\(1\)&gt;/);
  assert.match(svg, /200 &lt;\/script&gt;&lt;script&gt;alert\(2\)&lt;\/script&gt;/);
  assert.match(svg, /&lt;\/title&gt;&lt;script&gt;alert\(4\)&lt;\/script&gt;/);
  assert.equal(escapeXml('a\u0000b\ud800c\ud83d\ude00'), 'a\ufffdb\ufffdc\ud83d\ude00');
  assert.equal(escapeXml(`<&>"'`), '&lt;&amp;&gt;&quot;&#39;');
  // Unknown tags and attributes never reach the markup, whatever a node says.
  assert.equal(renderSvg({ tag: 'script' as never, text: 'alert(1)' }), '');
  assert.equal(renderSvg({ tag: 'g', attrs: { onclick: 'alert(1)', href: 'javascript:x', class: 'ok' } }), '<g class="ok"></g>');
});

test('1000 messages: drawn by window, SVG size bounded by the window', () => {
  const messages: TraceMessage[] = [];
  for (let i = 0; i < 500; i++) {
    messages.push(register(2 * i, i + 1, 'UA/1', 'c1', '<sip:a@192.0.2.10>', i * 10));
    messages.push(response(2 * i + 1, i + 1, '200 OK', 'S/1', 'c1', i * 10 + 0.02));
  }
  const m = buildLadder(messages);
  assert.equal(m.rows.length, 1000);
  assert.equal(m.geometry.bodyHeight, 1000 * m.geometry.rowHeight + m.geometry.margin);

  const w = visibleWindow(m, 20000, 600);
  assert.deepEqual(w, { first: 494, count: 27 });
  const svg = renderSvg(ladderBody(m, w));
  assert.equal([...svg.matchAll(/<g class="ladder-row /g)].length, 27);
  assert.match(svg, /data-message-index="494"/);
  assert.match(svg, /data-message-index="520"/);
  assert.doesNotMatch(svg, /data-message-index="493"|data-message-index="521"/);
  assert.ok(svg.length < 40_000, `window SVG is ${svg.length} chars`);
  // Windows at the ends are clamped.
  assert.deepEqual(visibleWindow(m, -50, 300), { first: 0, count: 14 });
  assert.deepEqual(visibleWindow(m, 1e9, 300), { first: 1000, count: 0 });
  // The whole flow still renders for export.
  const all = ladderSvg(m);
  assert.equal([...all.matchAll(/<g class="ladder-row /g)].length, 1000);
});

test('ladder of a real trace: compliant flow with the checker findings and exchanges', () => {
  const { messages } = readTraceBytes(new Uint8Array(readFileSync(join(fixturesRoot, 'captures', 'flows', 'oma-im-reg-001-missing-sip-im.pcap'))));
  const c = new RegisterChecker(resolveSettings({}));
  for (const x of messages) c.add(x);
  const r = c.end();
  const m = buildLadder(messages, { findings: r.findings, exchanges: r.exchanges });
  assert.equal(m.lanes.length, 2);
  assert.equal(m.lanes[0].agent, 'IM-client/OMA1.0 Fixture/1.0');
  assert.match(m.lanes[1].agent ?? '', /kamailio/);
  assert.deepEqual(m.rows.slice(0, 4).map((x) => x.label), ['REGISTER', '401 Unauthorized', 'REGISTER', '200 OK']);
  const flagged = m.rows.filter((x) => x.findings.some((f) => f.ruleId === 'OMA-IM-REG-001'));
  assert.ok(flagged.length >= 1);
  assert.ok(flagged.every((x) => x.request && x.label === 'REGISTER'));
  assertSafeSvg(ladderSvg(m));
});

test('lane limit: further endpoints share one "other endpoints" lane', () => {
  const messages: TraceMessage[] = [];
  for (let i = 0; i < 20; i++) messages.push({ ...register(i, 1, 'UA', `c${i}`, '<sip:a@x>', i), src: { ip: `192.0.2.${i + 1}`, port: 5060 } });
  const m = buildLadder(messages, { maxLanes: 5 });
  assert.equal(m.lanes.length, 5);
  assert.equal(m.lanes[4].address, 'other endpoints');
  assert.equal(m.truncatedLanes, 17);
  assert.ok(m.rows.every((r) => r.from < 5 && r.to < 5));
});

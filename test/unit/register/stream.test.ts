/**
 * The checker's streaming mode (used by `sip-inspect check` for flat memory): every fixture
 * trace gives the same findings and exchanges as the collecting mode, each batch sorted, and the
 * collecting-mode `end()` result untouched; the end of a capture with many bindings handed out
 * in bounded batches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readTraceBytes } from '../../../src/core/trace';
import { RegisterChecker } from '../../../src/core/register/checker';
import { resolveSettings } from '../../../src/core/settings';
import type { Finding, TraceMessage } from '../../../src/core/types';
import { fixturesRoot, listFiles } from '../../helpers/paths';
import { buildPcap } from '../../helpers/captureBuilder';
import { registerText, replyText } from '../../fuzz/seeds';
import { udpFrame } from '../hostile/helpers';

const order = (a: Finding, b: Finding): number =>
  a.messageIndex - b.messageIndex || a.span.start - b.span.start || a.ruleId.localeCompare(b.ruleId) || a.message.localeCompare(b.message);

/** The messages through a collecting and a streaming checker; `added` gets the batches each add() handed out. */
function bothWays(messages: TraceMessage[], added?: (m: TraceMessage, batches: Finding[][]) => void): { collecting: RegisterChecker; streaming: RegisterChecker; batches: Finding[][] } {
  const settings = resolveSettings({});
  const collecting = new RegisterChecker(settings);
  const batches: Finding[][] = [];
  const streaming = new RegisterChecker(settings, undefined, { findings: (b) => batches.push(b) });
  for (const m of messages) {
    collecting.add(m);
    const before = batches.length;
    streaming.add(m);
    added?.(m, batches.slice(before));
  }
  return { collecting, streaming, batches };
}

const traces = listFiles(fixturesRoot, (n) => /\.(pcap|pcapng|cap|log|sip|txt)$/.test(n));

test('streamed findings equal collected findings on every fixture trace', () => {
  assert.ok(traces.length > 40, `fixtures found: ${traces.length}`);
  let total = 0;
  for (const file of traces) {
    const { messages } = readTraceBytes(new Uint8Array(readFileSync(file)));
    const settings = resolveSettings({});
    const { collecting, streaming, batches } = bothWays(messages, (m, added) => {
      // A batch handed out during add(m) holds nothing after m.
      for (const b of added) for (const f of b) assert.ok(f.messageIndex <= m.index, `${file}: finding on a later message`);
    });
    const all = collecting.end();
    const rest = streaming.end();
    assert.deepEqual(rest.findings, [], `${file}: end() returns no findings when streaming`);
    for (const b of batches) {
      for (let i = 1; i < b.length; i++) assert.ok(order(b[i - 1], b[i]) <= 0 || b[i - 1].messageIndex === b[i].messageIndex, `${file}: batch sorted`);
    }
    const streamed = batches.flat().sort(order);
    assert.deepEqual(streamed, [...all.findings].sort(order), `${file}: same findings`);
    assert.deepEqual(rest.exchanges, all.exchanges, `${file}: same exchanges (with their findings' rule ids)`);
    assert.equal(rest.exchangeCount, all.exchanges.length);
    // Without the exchange list: the same findings, the count only.
    const counting = new RegisterChecker(settings, undefined, { findings: () => {}, exchanges: false });
    for (const m of messages) counting.add(m);
    const counted = counting.end();
    assert.deepEqual(counted.exchanges, []);
    assert.equal(counted.exchangeCount, all.exchanges.length);
    total += streamed.length;
  }
  assert.ok(total > 100, `findings compared: ${total}`);
});

test('the end of a capture with 10 000 bindings comes in batches of at most 4 096 summaries, the same findings as collected', () => {
  const n = 10000;
  const texts: string[] = [];
  for (let i = 0; i < n; i++) {
    const req = registerText({ cseq: 1, contact: `<sip:u${i}@192.0.2.10:5060>;expires=600` }).replace(/alice/g, `u${i}`).replace('reg-1@', `binding-${i}@`);
    texts.push(req, replyText(req, 200));
  }
  // One message a second: most AORs go quiet and are packed before the end (cold.ts).
  const { bytes } = buildPcap({}, texts.map((t, i) => ({ sec: 1700000000 + (i >> 1), frac: (i & 1) * 500000, data: udpFrame(t) })));
  const { collecting, streaming, batches } = bothWays(readTraceBytes(bytes).messages);
  const duringRead = batches.length;
  const all = collecting.end();
  streaming.end();
  const atEnd = batches.slice(duringRead);
  const summaries = atEnd.flat().filter((f) => f.ruleId === 'FLOW-001');
  assert.equal(summaries.length, n, 'one summary per binding');
  assert.ok(atEnd.length >= Math.ceil(n / 4096), `end batches: ${atEnd.length}`);
  for (const b of atEnd) assert.ok(b.filter((f) => f.ruleId === 'FLOW-001').length <= 4096, `a batch of ${b.length}`);
  assert.deepEqual(batches.flat().sort(order), [...all.findings].sort(order));
});

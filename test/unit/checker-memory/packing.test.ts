/**
 * Packing quiet AORs (src/core/register/cold.ts): the checker gives exactly the same findings,
 * batches and exchanges whether it packs or not, and a packed AOR unpacks to the same state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readTraceBytes } from '../../../src/core/trace';
import { RegisterChecker } from '../../../src/core/register/checker';
import type { ColdStore } from '../../../src/core/register/cold';
import { encodeRecord, recordText } from '../../../src/core/register/cold';
import type { AorState, FlowState, LineageState } from '../../../src/core/register/model';
import { resolveSettings } from '../../../src/core/settings';
import type { Finding, TraceMessage } from '../../../src/core/types';
import { fixturesRoot, listFiles } from '../../helpers/paths';

const traces = listFiles(fixturesRoot, (n) => /\.(pcap|pcapng|cap|log|sip|txt)$/.test(n));

interface Run {
  batches: Finding[][];
  result: ReturnType<RegisterChecker['end']>;
  packing: RegisterChecker['packing'];
}

function run(messages: readonly TraceMessage[], packAfterSeconds: number, exchanges: boolean, onPack?: (c: RegisterChecker) => void): Run {
  const batches: Finding[][] = [];
  const c = new RegisterChecker(resolveSettings({}), undefined, { findings: (b) => batches.push(b), exchanges, packAfterSeconds });
  if (onPack) onPack(c);
  for (const m of messages) c.add(m);
  const result = c.end();
  return { batches, result, packing: c.packing };
}

/** State as plain data: Sets and Maps as arrays, undefined fields dropped, shared objects copied. */
function plain(x: unknown, seen: unknown[] = []): unknown {
  if (x === null || typeof x !== 'object') return x;
  if (seen.includes(x)) return '(cycle)';
  const next = [...seen, x];
  if (x instanceof Set) return [...x].map((v) => plain(v, next));
  if (x instanceof Map) return [...x].map(([k, v]) => [k, plain(v, next)]);
  if (Array.isArray(x)) return x.map((v) => plain(v, next));
  const o: Record<string, unknown> = {};
  const rec = x as Record<string, unknown>;
  // Packing drops an exchange's credentials unless it was challenged: only the resend checks
  // read them, on a previous exchange answered 401/407 (see cold.ts).
  const unchallenged = 'txKey' in rec && rec.finalStatus !== 401 && rec.finalStatus !== 407;
  for (const k of Object.keys(x).sort()) {
    const v = rec[k];
    if (unchallenged && (k === 'authorizationRaw' || k === 'proxyAuthorizationRaw')) continue;
    if (v !== undefined) o[k] = plain(v, next);
  }
  return o;
}

test('every fixture trace: the same findings, batches and exchanges when every quiet AOR is packed at once', () => {
  assert.ok(traces.length > 40, `fixtures found: ${traces.length}`);
  let packed = 0;
  let unpacked = 0;
  for (const file of traces) {
    const { messages } = readTraceBytes(new Uint8Array(readFileSync(file)));
    for (const exchanges of [true, false]) {
      const plainRun = run(messages, Infinity, exchanges);
      const packing = run(messages, 0, exchanges);
      assert.equal(plainRun.packing.packed, 0);
      assert.deepEqual(packing.batches, plainRun.batches, `${file}: same batches (exchanges ${exchanges})`);
      assert.deepEqual(packing.result, plainRun.result, `${file}: same result (exchanges ${exchanges})`);
      if (!exchanges) {
        // Streaming without the exchange list also packs completed transactions' history copies.
        const collecting = new RegisterChecker(resolveSettings({}));
        for (const m of messages) collecting.add(m);
        const order = (x: Finding, y: Finding) => x.messageIndex - y.messageIndex || x.span.start - y.span.start || x.ruleId.localeCompare(y.ruleId) || x.message.localeCompare(y.message);
        assert.deepEqual(packing.batches.flat().sort(order), [...collecting.end().findings].sort(order), `${file}: same findings as collecting`);
      }
      packed += packing.packing.packed;
      unpacked += packing.packing.unpacked;
    }
  }
  // The fixtures are short traces: packing still happens (and undoes itself) on many of them.
  assert.ok(packed > 20, `AORs packed: ${packed}`);
  assert.ok(unpacked > 10, `AORs unpacked: ${unpacked}`);
});

test('every fixture trace: a packed AOR unpacks to exactly the state it was packed from', () => {
  let compared = 0;
  for (const file of traces) {
    const { messages } = readTraceBytes(new Uint8Array(readFileSync(file)));
    run(messages, 0, true, (c) => {
      const internal = c as unknown as {
        cold: ColdStore;
        lineages: Map<string, LineageState>;
        flows: Map<string, FlowState>;
        flowLineages: Map<string, Set<string>>;
      };
      const cold = internal.cold;
      const pack = cold.pack.bind(cold);
      cold.pack = (aor: AorState) => {
        const packedText = pack(aor);
        if (packedText === undefined) return undefined;
        const lineages = [...aor.lineageKeys].map((k) => internal.lineages.get(k));
        const flows = (aor.flowKeys ?? []).map((k) => ({ flow: internal.flows.get(k), lineages: internal.flowLineages.get(k) }));
        // Decode it the way unpacking will (the record is stored under a name for the look-up,
        // as the bytes the store keeps).
        const store = (cold as unknown as { cold: Map<string, Uint8Array> }).cold;
        store.set(aor.aor, new Uint8Array([48, ...new TextEncoder().encode(packedText)]));
        const back = cold.peekPacked(aor.aor);
        store.delete(aor.aor);
        assert.ok(back);
        assert.deepEqual(plain(back.aor), plain(aor), `${file}: AOR ${aor.aor}`);
        assert.deepEqual(plain(back.lineages), plain(lineages), `${file}: lineages of ${aor.aor}`);
        assert.deepEqual(plain(back.flows), plain(flows), `${file}: flows of ${aor.aor}`);
        compared++;
        return packedText;
      };
    });
  }
  assert.ok(compared > 20, `packed states compared: ${compared}`);
});

/** A timestamped SIP log line block (the text-log reader's format). */
function logMessage(seconds: number, lines: string[]): string {
  const ts = new Date(Date.UTC(2024, 10, 24, 15, 0, 0) + seconds * 1000).toISOString();
  return [...lines, ''].map((l) => `${ts} ue[1]: DEBUG sip: ${l}`).join('\n') + '\n';
}

function register(seconds: number, user: string, cseq: number, expires: number, branch: string): string {
  return logMessage(seconds, [
    'REGISTER sip:example.com SIP/2.0',
    `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK${branch}`,
    'Max-Forwards: 70',
    `From: <sip:${user}@example.com>;tag=f${user}`,
    `To: <sip:${user}@example.com>`,
    `Call-ID: call-${user}@192.0.2.10`,
    `CSeq: ${cseq} REGISTER`,
    `Contact: <sip:${user}@192.0.2.10:5060>;+g.oma.sip-im`,
    `Expires: ${expires}`,
    'Content-Length: 0',
  ]);
}

function ok(seconds: number, user: string, cseq: number, expires: number, branch: string): string {
  return logMessage(seconds, [
    'SIP/2.0 200 OK',
    `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK${branch}`,
    `From: <sip:${user}@example.com>;tag=f${user}`,
    `To: <sip:${user}@example.com>;tag=r${user}`,
    `Call-ID: call-${user}@192.0.2.10`,
    `CSeq: ${cseq} REGISTER`,
    ...(expires > 0 ? [`Contact: <sip:${user}@192.0.2.10:5060>;expires=${expires}`] : []),
    'Content-Length: 0',
  ]);
}

test('a binding packed while quiet and seen again later gets one FLOW-001 with its whole timeline, as without packing', () => {
  const text = [
    register(0, 'alice', 1, 600, 'a1'),
    ok(0.1, 'alice', 1, 600, 'a1'),
    register(10, 'alice', 2, 0, 'a2'),
    ok(10.1, 'alice', 2, 0, 'a2'),
    // Other traffic moves capture time on while alice is quiet.
    register(300, 'bob', 1, 600, 'b1'),
    ok(300.1, 'bob', 1, 600, 'b1'),
    register(1000, 'alice', 3, 600, 'a3'),
    ok(1000.1, 'alice', 3, 600, 'a3'),
  ].join('');
  const { messages } = readTraceBytes(new TextEncoder().encode(text));
  assert.equal(messages.length, 8);
  const plainRun = run(messages, Infinity, true);
  const packing = run(messages, 60, true);
  assert.ok(packing.packing.packed >= 1, `packed: ${JSON.stringify(packing.packing)}`);
  assert.ok(packing.packing.unpacked >= 1, `unpacked: ${JSON.stringify(packing.packing)}`);
  assert.deepEqual(packing.batches, plainRun.batches);
  assert.deepEqual(packing.result, plainRun.result);
  const summaries = packing.batches.flat().filter((f) => f.ruleId === 'FLOW-001').map((f) => f.message);
  assert.deepEqual(summaries, [
    'binding sip:alice@192.0.2.10:5060 of sip:alice@example.com: initial→200, full-deregistration→200, initial→200; at the end of the capture: registered with IM (granted 600 s)',
    'binding sip:bob@192.0.2.10:5060 of sip:bob@example.com: initial→200; at the end of the capture: registered with IM (granted 600 s)',
  ]);
});

test('an AOR still packed at the end is summarised from its packed state, without unpacking it', () => {
  const text = [register(0, 'alice', 1, 600, 'a1'), ok(0.1, 'alice', 1, 600, 'a1'), register(500, 'bob', 1, 600, 'b1'), ok(500.1, 'bob', 1, 600, 'b1')].join('');
  const { messages } = readTraceBytes(new TextEncoder().encode(text));
  const plainRun = run(messages, Infinity, false);
  const packing = run(messages, 60, false);
  assert.deepEqual(packing.packing, { packed: 1, unpacked: 0, cold: 1 });
  assert.deepEqual(packing.batches, plainRun.batches);
  assert.deepEqual(packing.result, plainRun.result);
  assert.equal(packing.batches.flat().filter((f) => f.ruleId === 'FLOW-001').length, 2);
});

test('a packed record keeps its text exactly as bytes: ASCII, Latin-1, other BMP and astral characters, escaped lone surrogates', () => {
  const texts = ['[1,"sip:alice@example.com"]', '["Jürgen Müller","\u00ff"]', '["initial→401","Ω"]', '["😀 emoji",1]', JSON.stringify(['\ud800 lone']), ''];
  for (const own of [true, false]) {
    for (const t of texts) {
      const r = encodeRecord(own, t);
      assert.equal(r[0], own ? 49 : 48);
      assert.equal(recordText(r), t);
    }
  }
  // ASCII takes one byte a character (plus the flag).
  assert.equal(encodeRecord(false, 'abc').length, 4);
});

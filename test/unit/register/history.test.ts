/**
 * Issue 7: a completed REGISTER transaction that its flow has moved past is kept in the
 * checker's transaction table as a compact copy (not the whole exchange) for TX_KEEP_SECONDS
 * (64 s, 2 x Timer F). It must still recognise late retransmissions of the request (P-12) and
 * late responses within that time, and treat the same request after it as a new transaction,
 * with the same result in streaming mode (which slims) as in collecting mode (which does not).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { register, reply } from '../../../src/core/rules/examples';
import { RegisterChecker } from '../../../src/core/register/checker';
import type { Exchange } from '../../../src/core/register/model';
import { resolveSettings } from '../../../src/core/settings';
import type { Finding, TraceMessage } from '../../../src/core/types';
import { traceOf } from '../rules/helpers';

const order = (a: Finding, b: Finding): number => a.messageIndex - b.messageIndex || a.span.start - b.span.start || a.ruleId.localeCompare(b.ruleId);

function both(messages: TraceMessage[]) {
  const settings = resolveSettings({});
  const collecting = new RegisterChecker(settings);
  const streamed: Finding[] = [];
  const streaming = new RegisterChecker(settings, undefined, { findings: (b) => streamed.push(...b) });
  const tables: Map<string, Exchange>[] = [];
  for (const m of messages) {
    collecting.add(m);
    streaming.add(m);
    tables.push(new Map((streaming as unknown as { registerTx: Map<string, Exchange> }).registerTx));
  }
  return { all: collecting.end(), rest: streaming.end(), streamed: streamed.sort(order), tables };
}

const first = register({ cseq: 1 });
const second = register({ cseq: 2, branch: 'z9hG4bKsecond' });

test('late retransmission of a completed, superseded REGISTER within 64 s: listed on its exchange, not a new one', () => {
  const messages = traceOf([
    first, // 0, t = 0
    { text: reply(first, 200), gap: 0.1 }, // 1: completes the first transaction
    { text: second, gap: 1 }, // 2: the flow moves on: the first becomes history
    { text: reply(second, 200), gap: 0.1 }, // 3
    { text: first, gap: 30 }, // 4: 31 s after the first's final response
    { text: reply(first, 200), gap: 1 }, // 5: its final response again
    { text: reply(first, 180, { toTag: null }), gap: 1 }, // 6: a stray provisional one (RFC3261-RSP-002: no To tag)
  ]);
  const { all, rest, streamed, tables } = both(messages);
  assert.equal(rest.exchangeCount, 2);
  assert.deepEqual(rest.exchanges.map((e) => e.cseq), [1, 2]);
  assert.deepEqual(rest.exchanges[0].retransmissionIndexes, [4]);
  assert.deepEqual(rest.exchanges[0].responseIndexes, [1, 5, 6]);
  // The stray 180's finding belongs to the first exchange (once), next to its missing settings PUBLISH.
  assert.deepEqual(rest.exchanges[0].findingRuleIds, ['OMA-IM-PUB-001', 'OMA-IM-REG-015', 'RFC3261-RSP-002']);
  assert.deepEqual(streamed.filter((f) => f.messageIndex === 6).map((f) => f.ruleId), ['RFC3261-RSP-002']);
  // The streaming checker did keep the compact copy (no final-response ref, no time) once the flow moved on.
  const key = [...tables[2].keys()].find((k) => k.includes('\n1\nREGISTER'));
  assert.ok(key, 'first transaction still in the table');
  assert.ok(tables[1].get(key)?.final, 'while it is the flow\'s last: the exchange itself');
  assert.equal(tables[2].get(key)?.final, undefined, 'once superseded: the compact copy');
  assert.equal(tables[2].get(key)?.startLineText, tables[1].get(key)?.startLineText);
  // Same result as the collecting mode, which keeps whole exchanges.
  assert.deepEqual(rest.exchanges, all.exchanges);
  assert.deepEqual(streamed, [...all.findings].sort(order));
});

test('the same REGISTER more than 64 s after its completion is a new transaction, as before', () => {
  const messages = traceOf([
    first, // 0
    { text: reply(first, 200), gap: 0.1 }, // 1
    { text: second, gap: 1 }, // 2
    { text: reply(second, 200), gap: 0.1 }, // 3
    { text: first, gap: 70 }, // 4: 71 s after the first's final response
  ]);
  const { all, rest, streamed } = both(messages);
  assert.equal(rest.exchangeCount, 3);
  assert.deepEqual(rest.exchanges.map((e) => e.requestIndex), [0, 2, 4]);
  assert.deepEqual(rest.exchanges[0].retransmissionIndexes, []);
  assert.deepEqual(rest.exchanges, all.exchanges);
  assert.deepEqual(streamed, [...all.findings].sort(order));
});

test('a final response that comes after the flow moved on also leaves the compact copy', () => {
  const messages = traceOf([
    first, // 0
    { text: second, gap: 1 }, // 1: sent before the first was answered
    { text: reply(first, 200), gap: 0.5 }, // 2: completes the first, already superseded
    { text: reply(second, 200), gap: 0.1 }, // 3
    { text: first, gap: 10 }, // 4: a late retransmission of the first
  ]);
  const { all, rest, streamed, tables } = both(messages);
  assert.equal(rest.exchangeCount, 2);
  assert.deepEqual(rest.exchanges[0].retransmissionIndexes, [4]);
  const key = [...tables[2].keys()].find((k) => k.includes('\n1\nREGISTER'));
  assert.ok(key);
  assert.equal(tables[2].get(key)?.final, undefined, 'completed after supersession: the compact copy');
  assert.deepEqual(rest.exchanges, all.exchanges);
  assert.deepEqual(streamed, [...all.findings].sort(order));
});

test('streaming without the exchange list: the same findings and count with the compact copies', () => {
  const messages = traceOf([first, { text: reply(first, 200), gap: 0.1 }, { text: second, gap: 1 }, { text: reply(second, 200), gap: 0.1 }, { text: first, gap: 30 }, { text: reply(first, 180, { toTag: null }), gap: 1 }]);
  const settings = resolveSettings({});
  const collecting = new RegisterChecker(settings);
  const streamed: Finding[] = [];
  const counting = new RegisterChecker(settings, undefined, { findings: (b) => streamed.push(...b), exchanges: false });
  for (const m of messages) {
    collecting.add(m);
    counting.add(m);
  }
  const all = collecting.end();
  const counted = counting.end();
  assert.equal(counted.exchangeCount, 2);
  assert.deepEqual(counted.exchanges, []);
  assert.deepEqual(streamed.sort(order), [...all.findings].sort(order));
});

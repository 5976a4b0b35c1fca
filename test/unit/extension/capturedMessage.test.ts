/**
 * CapturedMessage: a captured message as the host keeps it (text, no parse tree). Its parse tree
 * and its listing must be those of the message the worker's reader built.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeMessage } from '../../../src/core/present';
import { analyzeBytes, CapturedMessage, fromWireMessage, toWireMessage } from '../../../src/extension/analysis';
import { repoRoot } from '../../helpers/paths';

function sampleCaptures(): string[] {
  const dir = join(repoRoot, 'samples');
  return readdirSync(dir)
    .filter((f) => /\.(pcap|pcapng|cap)$/.test(f))
    .map((f) => join(dir, f));
}

test('a message through its wire form: the same parse tree, listing and JSON as the original', () => {
  const files = sampleCaptures();
  assert.ok(files.length >= 3, `${files.length} sample captures`);
  let n = 0;
  for (const f of files) {
    for (const m of analyzeBytes(new Uint8Array(readFileSync(f))).messages) {
      const wire = structuredClone(toWireMessage(m));
      assert.ok(!('sip' in wire), 'no parse tree on the wire');
      const back = fromWireMessage(wire);
      assert.ok(back instanceof CapturedMessage);
      // The listing's quick parse (no value validation) lists the same fields.
      assert.deepStrictEqual(summarizeMessage(back.forListing()), summarizeMessage(m), `${f} message ${m.index}`);
      assert.deepStrictEqual(back.sip, m.sip, `${f} message ${m.index}`);
      assert.strictEqual(back.sip, back.sip, 'the tree is built once');
      assert.deepStrictEqual(JSON.parse(JSON.stringify(back)), JSON.parse(JSON.stringify(m)));
      n++;
    }
  }
  assert.ok(n >= 10, `${n} messages`);
});

test('messages of a text log keep their parse tree on the wire (they were parsed as UTF-8)', () => {
  const log = new Uint8Array(readFileSync(join(repoRoot, 'samples', 'oma-im-compliant-registration.sipp.log')));
  const a = analyzeBytes(log);
  assert.ok(a.messages.length > 0);
  for (const m of a.messages) assert.strictEqual(toWireMessage(m), m);
});
